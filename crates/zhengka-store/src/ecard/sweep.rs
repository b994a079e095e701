//! What the reminder sweep reads, in pages: the holders whose permit ends, or
//! whose on-site check falls due, inside a window (the only ones a time
//! reminder can be due for: `reminders::due_reminders`), with their permit in
//! one query (no look-up per holder); and which of a page's notifications
//! exist already, in one query, so that only new ones are written.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;
use zhengka_domain::ecard::Holder;
use zhengka_domain::permits::permit::Permit;

use crate::{Page, SqlStore, StoreError};

/// Which deadline a page of candidates is read by, from..=to (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    /// Permits ending in the window (`permits_valid_to_idx`).
    Expiry { from: NaiveDate, to: NaiveDate },
    /// On-site checks due in the window (`permits_onsite_due_idx`).
    Onsite { from: NaiveDate, to: NaiveDate },
}

/// An active holder and their permit.
#[derive(Debug, Clone)]
pub struct ReminderCandidate {
    pub holder: Holder,
    pub permit: Permit,
}

/// A notification's identity: holder id, kind, subject, due date.
pub type NotificationKey = (String, String, String, String);

#[async_trait]
pub trait SweepStore: Send + Sync {
    /// Active holders whose permit is not ended and whose deadline of `window`
    /// is in it, by (deadline, permit number), `limit` per page; the cursor is
    /// the last (deadline, permit number).
    async fn reminder_candidates(
        &self,
        window: DueWindow,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<ReminderCandidate>, StoreError>;
    /// The keys of the notifications these holders have already.
    async fn notification_keys(
        &self,
        holder_ids: &[&str],
    ) -> Result<HashSet<NotificationKey>, StoreError>;
}

#[async_trait]
impl SweepStore for SqlStore {
    async fn reminder_candidates(
        &self,
        window: DueWindow,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<ReminderCandidate>, StoreError> {
        let (key, extra, from, to) = match window {
            DueWindow::Expiry { from, to } => ("p.valid_to", "", from, to),
            DueWindow::Onsite { from, to } => {
                ("p.onsite_due_on", "AND p.onsite_state = 'due' ", from, to)
            }
        };
        // The ended statuses only narrow the read; the domain rule decides.
        // The cursor is a row value so that both backends seek the index on
        // (deadline, permit number) to it: with `k > $3 OR (k = $3 AND ...)`
        // PostgreSQL read and sorted the whole window again for every page
        // (144 s for 160,000 holders at 2 M).
        let sql = format!(
            "SELECT h.record, p.permit_number, p.record_enc, {key} AS k FROM permits p \
             JOIN ecard_holders h ON h.permit_number = p.permit_number AND h.status = 'active' \
             WHERE {key} >= $1 AND {key} <= $2 {extra}\
             AND p.status NOT IN ('expired', 'cancelled', 'revoked') \
             AND ({key}, p.permit_number) > ($3, $4) \
             ORDER BY {key}, p.permit_number LIMIT $5"
        );
        let (after_key, after_number) = after.unwrap_or_default();
        let rows = sqlx::query(&sql)
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(after_key)
            .bind(after_number)
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        let items = rows
            .iter()
            .map(|row| {
                let record: String = row.try_get("record")?;
                Ok(ReminderCandidate {
                    holder: serde_json::from_str(&record)?,
                    permit: self.open_permit_row(row)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let next_cursor = match rows.last() {
            Some(last) if rows.len() as i64 == limit => {
                Some((last.try_get("k")?, last.try_get("permit_number")?))
            }
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    async fn notification_keys(
        &self,
        holder_ids: &[&str],
    ) -> Result<HashSet<NotificationKey>, StoreError> {
        if holder_ids.is_empty() {
            return Ok(HashSet::new());
        }
        let marks: Vec<String> = (1..=holder_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT holder_id, kind, subject, due_on FROM ecard_notifications \
             WHERE holder_id IN ({})",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in holder_ids {
            query = query.bind(*id);
        }
        let rows = query.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("holder_id")?,
                    r.try_get("kind")?,
                    r.try_get("subject")?,
                    r.try_get("due_on")?,
                ))
            })
            .collect()
    }
}
