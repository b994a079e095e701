//! What several `serve` instances on one database coordinate through: job
//! leases (each background job runs on one instance at a time) and the change
//! counter that tells an instance's caches that another instance wrote.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::{SqlStore, StoreError};

/// Who holds a job, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobLease {
    pub name: String,
    pub holder: String,
    pub expires_at: DateTime<Utc>,
}

/// Take-or-renew in one statement: the row is written only when it is new,
/// expired, or already ours. On PostgreSQL the conflicting row is locked and
/// the `WHERE` is evaluated on its latest committed version, so two instances
/// racing for an expired lease cannot both win; SQLite has one writer.
/// Timestamps are fixed-width RFC 3339 UTC text, so text order is time order.
const TAKE: &str = "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
     WHERE job_leases.expires_at < $4 OR job_leases.holder = excluded.holder";

#[async_trait]
pub trait CoordinationStore: Send + Sync {
    /// Take or renew the lease on job `name` for `holder` until `until`;
    /// `false` when another holder's lease has not expired at `now`.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Give a held lease up (at shutdown), so another instance takes over at once.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError>;
    /// Every lease, by job name.
    async fn job_leases(&self) -> Result<Vec<JobLease>, StoreError>;
    /// A number that grows with every committed change to what a status list
    /// is made of (entries, permit statuses, cards, device credentials, moved
    /// by triggers: migration 23), on any instance. Equal values mean every
    /// list built in between is still right.
    async fn status_seq(&self) -> Result<i64, StoreError>;
}

#[async_trait]
impl CoordinationStore for SqlStore {
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(TAKE)
            .bind(name)
            .bind(holder)
            .bind(timestamp(until))
            .bind(timestamp(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn job_leases(&self) -> Result<Vec<JobLease>, StoreError> {
        let rows = sqlx::query("SELECT name, holder, expires_at FROM job_leases ORDER BY name")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let expires_at: String = r.try_get("expires_at")?;
                Ok(JobLease {
                    name: r.try_get("name")?,
                    holder: r.try_get("holder")?,
                    expires_at: parse_time(&expires_at)?,
                })
            })
            .collect()
    }

    async fn status_seq(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT CAST(SUM(seq) AS BIGINT) AS seq FROM status_head")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get("seq")?)
    }
}
