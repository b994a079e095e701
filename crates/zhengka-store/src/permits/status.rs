//! Status-list entries: which index belongs to which permit period.

use serde::{Deserialize, Serialize};
use sqlx::Row;
use zhengka_domain::cards::CredentialState;
use zhengka_domain::permits::permit::{Permit, PermitStatus};

use crate::audit::timestamp;
use crate::{SqlStore, StoreError};

/// One index of the status list and the status its permit has now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub idx: u32,
    /// The permit's status, as stored (`valid`, `suspended`, ...).
    pub permit_status: String,
    /// Whether this is the permit's current period (earlier periods are revoked).
    pub current: bool,
}

impl StatusEntry {
    /// The entry's status in list 1: the current period follows its permit
    /// (valid, suspended); ended permits and earlier periods are revoked.
    pub fn credential_state(&self) -> CredentialState {
        match (self.current, self.permit_status.as_str()) {
            (true, "valid") => CredentialState::Valid,
            (true, "suspended") => CredentialState::Suspended,
            _ => CredentialState::Revoked,
        }
    }
}

/// Keep `status_entries.state` (migration 21) in step with the permit just
/// written: `valid` only for its current entry while it is valid, so a list
/// build reads only the other entries.
pub(crate) async fn mark_entries(tx: &mut crate::WriteTx, p: &Permit) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE status_entries SET state = CASE WHEN idx = $2 AND $3 = 1 THEN 'valid' \
         ELSE 'other' END WHERE permit_number = $1",
    )
    .bind(p.permit_number.as_str())
    .bind(p.status_index.map(i64::from))
    .bind(i64::from(p.status == PermitStatus::Valid))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The conflict of a permit's status index claimed by another permit.
pub(crate) const STATUS_INDEX: &str = "status_index";

/// Record that `idx` belongs to `permit_number` (once); another permit's index
/// is a conflict. One statement when the index is new (the usual case): the
/// write holds the writer connection for each round trip.
pub(crate) async fn claim_index(
    tx: &mut crate::WriteTx,
    idx: u32,
    permit_number: &str,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO status_entries (idx, permit_number, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (idx) DO NOTHING",
    )
    .bind(i64::from(idx))
    .bind(permit_number)
    .bind(timestamp(chrono::Utc::now()))
    .execute(&mut **tx)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(());
    }
    let owner: String = sqlx::query("SELECT permit_number FROM status_entries WHERE idx = $1")
        .bind(i64::from(idx))
        .fetch_one(&mut **tx)
        .await?
        .try_get("permit_number")?;
    if owner == permit_number {
        Ok(())
    } else {
        Err(StoreError::conflict(STATUS_INDEX))
    }
}

impl SqlStore {
    pub(crate) async fn status_entries_all(&self) -> Result<Vec<StatusEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.idx, p.status, p.status_index FROM status_entries e \
             JOIN permits p ON p.permit_number = e.permit_number ORDER BY e.idx",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let idx: i64 = r.try_get("idx")?;
                let current: Option<i64> = r.try_get("status_index")?;
                Ok(StatusEntry {
                    idx: u32::try_from(idx).map_err(StoreError::other)?,
                    permit_status: r.try_get("status")?,
                    current: current == Some(idx),
                })
            })
            .collect()
    }
}
