//! Status-list entries: which index belongs to which permit period.

use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

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

/// Record that `idx` belongs to `permit_number` (once); another permit's index
/// is a conflict.
pub(crate) async fn claim_index(
    tx: &mut Transaction<'_, Any>,
    idx: u32,
    permit_number: &str,
) -> Result<(), StoreError> {
    let owner = sqlx::query("SELECT permit_number FROM status_entries WHERE idx = $1")
        .bind(i64::from(idx))
        .fetch_optional(&mut **tx)
        .await?;
    match owner {
        Some(row) if row.try_get::<String, _>("permit_number")? == permit_number => Ok(()),
        Some(_) => Err(StoreError::conflict("status_index")),
        None => {
            sqlx::query(
                "INSERT INTO status_entries (idx, permit_number, created_at) VALUES ($1, $2, $3)",
            )
            .bind(i64::from(idx))
            .bind(permit_number)
            .bind(timestamp(chrono::Utc::now()))
            .execute(&mut **tx)
            .await?;
            Ok(())
        }
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
