//! `CardStore` for the SQL store.

use async_trait::async_trait;
use sqlx::Row;
use zhengka_domain::cards::{Card, CardNumber, CardStatus};

use super::{BatchRecord, CardFilter, CardStore};
use crate::audit::timestamp;
use crate::{Page, SqlStore, StoreError, Write};

#[async_trait]
impl CardStore for SqlStore {
    async fn insert_card(&self, c: &Card, w: Write) -> Result<(), StoreError> {
        self.save_cards(std::slice::from_ref(c), w).await
    }

    async fn save_cards(&self, cards: &[Card], w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        // Retire before inserting: a replacement's old card leaves the
        // one-live-card index before the new one enters it.
        let (new, changed): (Vec<&Card>, Vec<&Card>) = cards.iter().partition(|c| c.version == 0);
        for c in changed.into_iter().chain(new) {
            self.card_write(&mut tx, c).await?;
        }
        self.finish(tx, w).await
    }

    async fn get_card(&self, n: &CardNumber) -> Result<Card, StoreError> {
        self.cards_where("card_number", n.as_str())
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn cards_of_account(&self, account_id: &str) -> Result<Vec<Card>, StoreError> {
        self.cards_where("account_id", account_id).await
    }

    async fn list_cards(&self, f: &CardFilter) -> Result<Page<Card>, StoreError> {
        let mut sql = String::from(
            "SELECT id, record_enc, promised_by FROM cards WHERE ($1 IS NULL OR region_code LIKE $1) \
             AND ($2 IS NULL OR employer_id = $2) AND ($3 IS NULL OR account_id = $3) \
             AND ($4 IS NULL OR (promised_by < $4 AND status NOT IN \
             ('delivered', 'issued_at_window', 'replaced', 'frozen'))) \
             AND ($5 = '' OR promised_by > $5 OR (promised_by = $5 AND id > $6))",
        );
        for (i, _) in f.statuses.iter().enumerate() {
            sql.push_str(if i == 0 { " AND status IN (" } else { ", " });
            sql.push_str(&format!("${}", i + 8));
        }
        if !f.statuses.is_empty() {
            sql.push(')');
        }
        // Oldest promise first: overdue cards lead the queue.
        sql.push_str(" ORDER BY promised_by, id LIMIT $7");
        let (after_at, after_id) = f.after.clone().unwrap_or_default();
        let mut q = sqlx::query(&sql)
            .bind(f.region_prefix.as_ref().map(|p| format!("{p}%")))
            .bind(f.employer_id.as_deref())
            .bind(f.account_id.as_deref())
            .bind(f.promised_before.as_deref())
            .bind(after_at)
            .bind(after_id)
            .bind(f.limit + 1);
        for s in &f.statuses {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.reader).await?;
        let mut items = rows
            .iter()
            .map(|r| self.open_card(r))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() as i64 > f.limit {
            items.truncate(f.limit as usize);
            items
                .last()
                .map(|c| (c.promised_by.to_string(), c.id.clone()))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    async fn insert_batch(
        &self,
        b: &BatchRecord,
        file: &[u8],
        cards: &[Card],
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.vault.seal(&format!("card_batches:{}", b.id), file)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO card_batches (id, region_code, card_count, sha256, file_enc, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&b.id)
        .bind(&b.region_code)
        .bind(b.card_count)
        .bind(&b.sha256)
        .bind(sealed)
        .bind(&b.created_by)
        .bind(timestamp(b.created_at))
        .execute(&mut *tx)
        .await?;
        for c in cards {
            self.card_write(&mut tx, c).await?;
        }
        self.finish(tx, w).await
    }

    async fn get_batch(&self, id: &str) -> Result<(BatchRecord, Vec<u8>), StoreError> {
        let r = sqlx::query(
            "SELECT id, region_code, card_count, sha256, file_enc, created_by, created_at, \
             result_imported_at FROM card_batches WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        let created_at: String = r.try_get("created_at")?;
        let record = BatchRecord {
            id: r.try_get("id")?,
            region_code: r.try_get("region_code")?,
            card_count: r.try_get("card_count")?,
            sha256: r.try_get("sha256")?,
            created_by: r.try_get("created_by")?,
            created_at: created_at.parse().map_err(StoreError::other)?,
            result_imported_at: r.try_get("result_imported_at")?,
        };
        let sealed: Vec<u8> = r.try_get("file_enc")?;
        let file = self.vault.open(&format!("card_batches:{id}"), &sealed)?;
        Ok((record, file))
    }

    async fn cards_of_batch(&self, id: &str) -> Result<Vec<Card>, StoreError> {
        let mut cards = self.cards_where("batch_id", id).await?;
        cards.sort_by(|a, b| a.card_number.cmp(&b.card_number));
        Ok(cards)
    }

    async fn import_batch_result(
        &self,
        id: &str,
        cards: &[Card],
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE card_batches SET result_imported_at = $1 WHERE id = $2 \
             AND result_imported_at IS NULL",
        )
        .bind(timestamp(w.audit.at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("batch_result_imported"));
        }
        for c in cards {
            self.card_write(&mut tx, c).await?;
        }
        self.finish(tx, w).await
    }

    async fn card_status_entries(&self) -> Result<Vec<(u32, CardStatus)>, StoreError> {
        let rows = sqlx::query("SELECT status_index, status FROM cards ORDER BY status_index")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let idx: i64 = r.try_get("status_index")?;
                let status: String = r.try_get("status")?;
                Ok((
                    u32::try_from(idx).map_err(StoreError::other)?,
                    CardStatus::parse(&status)
                        .ok_or_else(|| StoreError::other(format!("card status {status}")))?,
                ))
            })
            .collect()
    }
}
