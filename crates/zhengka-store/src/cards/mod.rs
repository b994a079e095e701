//! The cards context's tables: cards (stored whole and encrypted: they carry
//! the SSN and bank account), production batches with their file, and the
//! card status list's entries. One card per person that is not replaced is a
//! partial unique index, so two applications at once make one card.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::cards::{Card, CardNumber, CardStatus};

use crate::audit::timestamp;
use crate::{Page, SqlStore, StoreError, Write};

#[derive(Debug, Clone, Default)]
pub struct CardFilter {
    pub region_prefix: Option<String>,
    pub employer_id: Option<String>,
    pub account_id: Option<String>,
    pub statuses: Vec<CardStatus>,
    /// Only cards not yet in the holder's hand whose promise date is before this.
    pub promised_before: Option<String>,
    /// Keyset cursor: (promised_by, id) of the last item seen.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// A production batch: its file (sealed), and when its result came back.
#[derive(Debug, Clone)]
pub struct BatchRecord {
    pub id: String,
    pub region_code: String,
    pub card_count: i64,
    pub sha256: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub result_imported_at: Option<String>,
}

#[async_trait]
pub trait CardStore: Send + Sync {
    /// A second live card for the same account is `Conflict("card_exists")`.
    async fn insert_card(&self, c: &Card, w: Write) -> Result<(), StoreError>;
    /// Save cards changed together (each at its version), inserting those at
    /// version 0 (a replacement), in one transaction.
    async fn save_cards(&self, cards: &[Card], w: Write) -> Result<(), StoreError>;
    async fn get_card(&self, n: &CardNumber) -> Result<Card, StoreError>;
    /// Published query `card_for_holder`: the account's cards, newest first.
    async fn cards_of_account(&self, account_id: &str) -> Result<Vec<Card>, StoreError>;
    async fn list_cards(&self, f: &CardFilter) -> Result<Page<Card>, StoreError>;
    /// Create a batch of `cards` (already moved to `in_production`) with its file.
    async fn insert_batch(
        &self,
        b: &BatchRecord,
        file: &[u8],
        cards: &[Card],
        w: Write,
    ) -> Result<(), StoreError>;
    async fn get_batch(&self, id: &str) -> Result<(BatchRecord, Vec<u8>), StoreError>;
    async fn cards_of_batch(&self, id: &str) -> Result<Vec<Card>, StoreError>;
    /// Apply a return file: the cards saved and the batch marked, all or none;
    /// a second import is `Conflict("batch_result_imported")`.
    async fn import_batch_result(
        &self,
        id: &str,
        cards: &[Card],
        w: Write,
    ) -> Result<(), StoreError>;
    /// Every card's status index with its status (the card status list).
    async fn card_status_entries(&self) -> Result<Vec<(u32, CardStatus)>, StoreError>;
}

mod sql;

const COLUMNS: &str = "id, record_enc";

impl SqlStore {
    pub(super) fn seal_card(&self, c: &Card) -> Result<Vec<u8>, StoreError> {
        self.vault
            .seal(&format!("cards:{}", c.id), &serde_json::to_vec(c)?)
    }

    pub(super) fn open_card(&self, row: &AnyRow) -> Result<Card, StoreError> {
        let id: String = row.try_get("id")?;
        let sealed: Vec<u8> = row.try_get("record_enc")?;
        let json = self.vault.open(&format!("cards:{id}"), &sealed)?;
        Ok(serde_json::from_slice(&json)?)
    }

    pub(super) async fn card_write(
        &self,
        tx: &mut crate::WriteTx,
        c: &Card,
    ) -> Result<(), StoreError> {
        let sealed = self.seal_card(c)?;
        let bank = c
            .bank_account
            .as_ref()
            .map(|b| self.vault.index("bank_account", b.expose()));
        let now = timestamp(Utc::now());
        let query = if c.version == 0 {
            "INSERT INTO cards (status, promised_by, batch_id, bank_hmac, record_enc, version, \
             updated_at, id, card_number, account_id, permit_number, employer_id, region_code, \
             status_index, applied_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $11, $12, $13, $14, $15, $16)"
        } else {
            "UPDATE cards SET status = $1, promised_by = $2, batch_id = $3, bank_hmac = $4, \
             record_enc = $5, version = $6, updated_at = $7 WHERE id = $8 AND version = $9"
        };
        let done = sqlx::query(query)
            .bind(c.state.status.as_str())
            .bind(c.promised_by.to_string())
            .bind(c.batch_id.as_deref())
            .bind(bank)
            .bind(sealed)
            .bind(c.version)
            .bind(now)
            .bind(&c.id)
            .bind(c.version - 1)
            .bind(c.card_number.as_str())
            .bind(&c.account_id)
            .bind(c.elements.permit_number.as_str())
            .bind(&c.employer_id)
            .bind(c.elements.issuing_region.as_str())
            .bind(i64::from(c.status_index))
            .bind(timestamp(c.applied_at))
            .execute(&mut **tx)
            .await
            .map_err(|e| card_conflict(e.into()))?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("card_version"));
        }
        Ok(())
    }

    pub(super) async fn cards_where(
        &self,
        clause: &str,
        value: &str,
    ) -> Result<Vec<Card>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM cards WHERE {clause} = $1 ORDER BY applied_at DESC, id DESC"
        ))
        .bind(value)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(|r| self.open_card(r)).collect()
    }
}

/// Name the unique key that failed, on either backend.
fn card_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what } if what.contains("account") => {
            StoreError::conflict("card_exists")
        }
        StoreError::Conflict { what } if what.contains("status_index") => {
            StoreError::conflict("status_index")
        }
        StoreError::Conflict { what } if what.contains("number") => {
            StoreError::conflict("card_number")
        }
        other => other,
    }
}
