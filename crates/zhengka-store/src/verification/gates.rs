//! Relying parties' offline gates and the batches of verdicts they upload.
//! A batch is one transaction: the guarded touch of the gate (refused once
//! it is revoked), every entry into `verification_log` under the id
//! `gate:<gate_id>:<entry id>` (the primary key makes a re-upload add
//! nothing, even when two uploads race), and one audit event.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::verification::Gate;

use super::VerificationEntry;
use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::{SqlStore, StoreError, Write};

/// What an upload added: entries new to the log, and those it already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uploaded {
    pub new: usize,
    pub duplicate: usize,
}

#[async_trait]
pub trait GateStore: Send + Sync {
    /// A gate id taken (by any organisation) is a conflict on `gates`.
    async fn insert_gate(&self, g: &Gate, w: Write) -> Result<(), StoreError>;
    async fn get_gate(&self, gate_id: &str) -> Result<Gate, StoreError>;
    /// Newest first.
    async fn gates_of(&self, organisation_id: &str) -> Result<Vec<Gate>, StoreError>;
    /// Revoke a live gate of the organisation; a revoked or unknown one is
    /// `NotFound`.
    async fn revoke_gate(
        &self,
        organisation_id: &str,
        gate_id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Record a gate's batch (`entries[i].id` is the gate's entry id; the
    /// stored id is prefixed with the gate). `NotFound` when the gate was
    /// revoked (or removed) meanwhile: then nothing is written. The audit
    /// event's details get the counts.
    async fn record_gate_batch(
        &self,
        gate_id: &str,
        entries: &[VerificationEntry],
        w: Write,
    ) -> Result<Uploaded, StoreError>;
}

const COLUMNS: &str =
    "gate_id, organisation_id, name, public_key, created_at, revoked_at, last_upload_at";

fn gate(row: &AnyRow) -> Result<Gate, StoreError> {
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        let t: Option<String> = row.try_get(name)?;
        t.as_deref().map(parse_time).transpose()
    };
    Ok(Gate {
        gate_id: row.try_get("gate_id")?,
        organisation_id: row.try_get("organisation_id")?,
        name: row.try_get("name")?,
        public_key: row.try_get("public_key")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        revoked_at: time("revoked_at")?,
        last_upload_at: time("last_upload_at")?,
    })
}

/// The log id of a gate's entry: the gate's id space is its own.
pub fn gate_entry_id(gate_id: &str, entry_id: &str) -> String {
    format!("gate:{gate_id}:{entry_id}")
}

#[async_trait]
impl GateStore for SqlStore {
    async fn insert_gate(&self, g: &Gate, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO gates (gate_id, organisation_id, name, public_key, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&g.gate_id)
        .bind(&g.organisation_id)
        .bind(&g.name)
        .bind(&g.public_key)
        .bind(timestamp(g.created_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    async fn get_gate(&self, gate_id: &str) -> Result<Gate, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM gates WHERE gate_id = $1"))
            .bind(gate_id)
            .fetch_one(&self.reader)
            .await?;
        gate(&row)
    }

    async fn gates_of(&self, organisation_id: &str) -> Result<Vec<Gate>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM gates WHERE organisation_id = $1 \
             ORDER BY created_at DESC, gate_id DESC"
        ))
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(gate).collect()
    }

    async fn revoke_gate(
        &self,
        organisation_id: &str,
        gate_id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE gates SET revoked_at = $1 \
             WHERE gate_id = $2 AND organisation_id = $3 AND revoked_at IS NULL",
        )
        .bind(timestamp(at))
        .bind(gate_id)
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    async fn record_gate_batch(
        &self,
        gate_id: &str,
        entries: &[VerificationEntry],
        mut w: Write,
    ) -> Result<Uploaded, StoreError> {
        let mut tx = self.begin_write().await?;
        // Takes the gate's row: a revocation committed first refuses the
        // batch, one that comes later waits for it.
        let live = sqlx::query(
            "UPDATE gates SET last_upload_at = $1 WHERE gate_id = $2 AND revoked_at IS NULL",
        )
        .bind(timestamp(w.audit.at))
        .bind(gate_id)
        .execute(&mut *tx)
        .await?;
        if live.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let mut new = 0;
        for e in entries {
            let done = sqlx::query(
                "INSERT INTO verification_log (id, at, permit_number, organisation_id, \
                 organisation_name, verifier, purpose, credential_kind, result, reason, offline) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING",
            )
            .bind(gate_entry_id(gate_id, &e.id))
            .bind(timestamp(e.at))
            .bind(e.permit_number.as_deref())
            .bind(e.organisation_id.as_deref())
            .bind(&e.organisation_name)
            .bind(&e.verifier)
            .bind(&e.purpose)
            .bind(&e.credential_kind)
            .bind(&e.result)
            .bind(e.reason.as_deref())
            .bind(i64::from(e.offline))
            .execute(&mut *tx)
            .await?;
            new += done.rows_affected() as usize;
        }
        let counts = Uploaded {
            new,
            duplicate: entries.len() - new,
        };
        if let Some(details) = w.audit.details.as_object_mut() {
            details.insert("new".into(), counts.new.into());
            details.insert("duplicate".into(), counts.duplicate.into());
        }
        self.finish(tx, w).await?;
        Ok(counts)
    }
}
