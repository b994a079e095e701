//! The three status lists read for publication, without loading every entry:
//! list 1 (permit periods), list 2 (cards), list 3 (device credentials). Each
//! list reads only the entries that may not be valid (a partial index of
//! migration 21 holds them), in index order, streamed row by row to the
//! caller; every other index is valid. Also what a new index needs: the
//! highest index taken and whether one index is taken, each one indexed look-up.

use std::sync::LazyLock;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::cards::{CardStatus, CredentialState};

use crate::{SqlStore, StatusEntry, StoreError};

/// Which status list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusListId {
    /// List 1: one entry per permit period (`status_entries`).
    Permits,
    /// List 2: one entry per card.
    Cards,
    /// List 3: one entry per device credential.
    Devices,
}

impl StatusListId {
    /// The table and column that own the list's index space.
    fn owner(self) -> (&'static str, &'static str) {
        match self {
            Self::Permits => ("status_entries", "idx"),
            Self::Cards => ("cards", "status_index"),
            Self::Devices => ("ecard_devices", "status_index"),
        }
    }
}

/// What a caller does with each entry read: set it in the bitstring.
pub type StatusSink<'a> = &'a mut (dyn FnMut(u32, CredentialState) + Send);

#[async_trait]
pub trait StatusListStore: Send + Sync {
    /// Hand every entry of `list` that may not be valid to `sink`, in index
    /// order, as the rows arrive; returns how many. Entries not handed over
    /// are valid.
    async fn for_each_status(
        &self,
        list: StatusListId,
        sink: StatusSink<'_>,
    ) -> Result<u64, StoreError>;
    /// The highest index `list` uses, if any.
    async fn status_index_max(&self, list: StatusListId) -> Result<Option<u32>, StoreError>;
    /// Whether `idx` of `list` belongs to a credential already.
    async fn status_index_taken(&self, list: StatusListId, idx: u32) -> Result<bool, StoreError>;
}

/// List 1: entries not marked valid (the partial index), with their permit's
/// status; `StatusEntry::credential_state` decides.
const PERMIT_ROWS: &str = "SELECT e.idx, p.status, p.status_index FROM status_entries e \
     JOIN permits p ON p.permit_number = e.permit_number WHERE e.state <> 'valid' ORDER BY e.idx";

/// List 2: the card statuses the domain does not map to valid (frozen,
/// replaced: `cards_not_valid_idx` holds exactly these).
static CARD_ROWS: LazyLock<String> = LazyLock::new(|| {
    let not_valid: Vec<String> = CardStatus::ALL
        .into_iter()
        .filter(|s| s.credential_status() != CredentialState::Valid)
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    format!(
        "SELECT status_index, status FROM cards WHERE status IN ({}) ORDER BY status_index",
        not_valid.join(", ")
    )
});

/// List 3: device credentials not valid (and retired rows keeping an index).
const DEVICE_ROWS: &str = "SELECT status_index, credential_status FROM ecard_devices \
     WHERE credential_status <> 'valid' ORDER BY status_index";

fn index(row: &AnyRow, column: &str) -> Result<u32, StoreError> {
    let idx: i64 = row.try_get(column)?;
    u32::try_from(idx).map_err(StoreError::other)
}

fn permit_row(row: &AnyRow) -> Result<(u32, CredentialState), StoreError> {
    let idx = index(row, "idx")?;
    let current: Option<i64> = row.try_get("status_index")?;
    let entry = StatusEntry {
        idx,
        permit_status: row.try_get("status")?,
        current: current == Some(i64::from(idx)),
    };
    Ok((idx, entry.credential_state()))
}

fn card_row(row: &AnyRow) -> Result<(u32, CredentialState), StoreError> {
    let status: String = row.try_get("status")?;
    let status = CardStatus::parse(&status)
        .ok_or_else(|| StoreError::other(format!("card status {status}")))?;
    Ok((index(row, "status_index")?, status.credential_status()))
}

fn device_row(row: &AnyRow) -> Result<(u32, CredentialState), StoreError> {
    let status: String = row.try_get("credential_status")?;
    let state = match status.as_str() {
        crate::ecard::RETIRED => CredentialState::Revoked,
        s => CredentialState::parse(s)
            .ok_or_else(|| StoreError::other(format!("unknown credential status {s}")))?,
    };
    Ok((index(row, "status_index")?, state))
}

#[async_trait]
impl StatusListStore for SqlStore {
    async fn for_each_status(
        &self,
        list: StatusListId,
        sink: StatusSink<'_>,
    ) -> Result<u64, StoreError> {
        let (sql, decode): (&str, fn(&AnyRow) -> Result<_, _>) = match list {
            StatusListId::Permits => (PERMIT_ROWS, permit_row),
            StatusListId::Cards => (CARD_ROWS.as_str(), card_row),
            StatusListId::Devices => (DEVICE_ROWS, device_row),
        };
        let mut rows = sqlx::query(sql).fetch(&self.reader);
        let mut n = 0;
        while let Some(row) = rows.try_next().await? {
            let (idx, state) = decode(&row)?;
            sink(idx, state);
            n += 1;
        }
        Ok(n)
    }

    async fn status_index_max(&self, list: StatusListId) -> Result<Option<u32>, StoreError> {
        let (table, column) = list.owner();
        let row = sqlx::query(&format!("SELECT MAX({column}) AS m FROM {table}"))
            .fetch_one(&self.reader)
            .await?;
        let max: Option<i64> = row.try_get("m")?;
        max.map(|m| u32::try_from(m).map_err(StoreError::other))
            .transpose()
    }

    async fn status_index_taken(&self, list: StatusListId, idx: u32) -> Result<bool, StoreError> {
        let (table, column) = list.owner();
        let row = sqlx::query(&format!("SELECT 1 AS one FROM {table} WHERE {column} = $1"))
            .bind(i64::from(idx))
            .fetch_optional(&self.reader)
            .await?;
        Ok(row.is_some())
    }
}
