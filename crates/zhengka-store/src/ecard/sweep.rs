//! What the reminder sweep reads, in pages: the holders whose permit ends, or
//! whose on-site check falls due, inside a window (the only ones a time
//! reminder can be due for: `reminders::due_reminders`), with their permit's
//! [`Deadlines`] in one query (no look-up per holder); and which of a page's
//! notifications exist already, in one query, so that only new ones are
//! written.
//!
//! The deadlines come from the permit's indexed columns, which every permit
//! write sets with the sealed record in one transaction; both indexes the
//! query walks cover them (migration 0022), so a page is read from the
//! indexes alone, without a heap or record read per holder (10 M holders: the
//! tables do not fit in memory, the indexes do).

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Row;
use zhengka_domain::ecard::reminders::Deadlines;
use zhengka_domain::permits::permit::PermitStatus;

use crate::{Page, SqlStore, StoreError};

/// Which deadline a page of candidates is read by, from..=to (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    /// Permits ending in the window (`permits_valid_to_idx`).
    Expiry { from: NaiveDate, to: NaiveDate },
    /// On-site checks due in the window (`permits_onsite_due_idx`).
    Onsite { from: NaiveDate, to: NaiveDate },
}

/// An active holder and their permit's deadlines.
#[derive(Debug, Clone)]
pub struct ReminderCandidate {
    pub holder_id: String,
    pub deadlines: Deadlines,
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

fn candidate(row: &sqlx::any::AnyRow) -> Result<ReminderCandidate, StoreError> {
    let day = |column: &str, text: &str| {
        text.parse::<NaiveDate>()
            .map_err(|e| StoreError::other(format!("permits.{column} {text:?}: {e}")))
    };
    let status: String = row.try_get("status")?;
    let status = PermitStatus::parse(&status)
        .ok_or_else(|| StoreError::other(format!("permits.status {status:?}")))?;
    let valid_to: String = row.try_get("valid_to")?;
    let onsite_state: String = row.try_get("onsite_state")?;
    let onsite_due_on: Option<String> = row.try_get("onsite_due_on")?;
    let onsite_due_by = match (onsite_state.as_str(), onsite_due_on) {
        ("due", Some(on)) => Some(day("onsite_due_on", &on)?),
        _ => None,
    };
    Ok(ReminderCandidate {
        holder_id: row.try_get("holder_id")?,
        deadlines: Deadlines {
            permit_number: row.try_get("permit_number")?,
            ended: status.is_terminal(),
            valid_to: day("valid_to", &valid_to)?,
            onsite_due_by,
        },
    })
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
            "SELECT h.id AS holder_id, p.permit_number, p.status, p.valid_to, p.onsite_state, \
             p.onsite_due_on, {key} AS k FROM permits p \
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
            .map(candidate)
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
