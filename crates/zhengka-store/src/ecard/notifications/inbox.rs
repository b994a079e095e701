use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::ecard::reminders::ReminderKind;

use super::Notification;
use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{Page, SqlStore, StoreError, Write};

pub(super) const COLUMNS: &str = "n.id, n.holder_id, n.kind, n.subject, n.due_on, n.payload, \
                                  n.created_at, n.read_at";

pub(super) fn from_row(row: &AnyRow) -> Result<Notification, StoreError> {
    let kind: String = row.try_get("kind")?;
    let due_on: String = row.try_get("due_on")?;
    let payload: String = row.try_get("payload")?;
    let read_at: Option<String> = row.try_get("read_at")?;
    Ok(Notification {
        id: row.try_get("id")?,
        holder_id: row.try_get("holder_id")?,
        kind: parsed(ReminderKind::parse(&kind).ok_or("unknown kind"), "kind")?,
        subject: row.try_get("subject")?,
        due_on: parsed(due_on.parse(), "due_on")?,
        facts: serde_json::from_str(&payload)?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        read_at: read_at.as_deref().map(parse_time).transpose()?,
    })
}

impl SqlStore {
    pub(super) async fn notification_insert(
        &self,
        n: &Notification,
        w: Write,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let created = timestamp(n.created_at);
        // The key decides, inside the write: a second sweep (or a racing
        // one) inserts nothing, and its audit event is rolled back with it.
        let done = sqlx::query(
            "INSERT INTO ecard_notifications (id, holder_id, kind, subject, due_on, payload, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (holder_id, kind, subject, due_on) DO NOTHING",
        )
        .bind(&n.id)
        .bind(&n.holder_id)
        .bind(n.kind.as_str())
        .bind(&n.subject)
        .bind(n.due_on.to_string())
        .bind(serde_json::to_string(&n.facts)?)
        .bind(&created)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        // Always queued: the delivery job runs only with a webhook configured
        // (the outbox reaction that makes notifications cannot know).
        sqlx::query(
            "INSERT INTO ecard_deliveries (id, notification_id, status, attempts, \
             next_attempt_at, created_at) VALUES ($1, $2, 'pending', 0, $3, $3)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&n.id)
        .bind(&created)
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await?;
        Ok(true)
    }

    pub(super) async fn notification_list(
        &self,
        holder_id: &str,
        unread_only: bool,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<Notification>, StoreError> {
        let unread = if unread_only {
            "AND n.read_at IS NULL"
        } else {
            ""
        };
        // No cursor: start after the last moment any row can have.
        let (at, id) = after.unwrap_or_else(|| ("9999".into(), String::new()));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ecard_notifications n WHERE n.holder_id = $1 {unread} \
             AND (n.created_at < $2 OR (n.created_at = $2 AND n.id < $3)) ORDER BY n.created_at DESC, n.id DESC LIMIT $4"
        ))
        .bind(holder_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        let next_cursor = match items.last() {
            Some(last) if items.len() as i64 == limit => {
                Some((timestamp(last.created_at), last.id.clone()))
            }
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    pub(super) async fn notification_unread(&self, holder_id: &str) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM ecard_notifications \
             WHERE holder_id = $1 AND read_at IS NULL",
        )
        .bind(holder_id)
        .fetch_one(&self.reader)
        .await?;
        Ok(row.try_get("n")?)
    }

    pub(super) async fn notification_read(
        &self,
        holder_id: &str,
        id: &str,
        w: Write,
    ) -> Result<Notification, StoreError> {
        let mut tx = self.begin_write().await?;
        // The holder is in the condition: another holder's id matches nothing.
        let done = sqlx::query(
            "UPDATE ecard_notifications SET read_at = $1 \
             WHERE id = $2 AND holder_id = $3 AND read_at IS NULL",
        )
        .bind(timestamp(w.audit.at))
        .bind(id)
        .bind(holder_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 1 {
            self.finish(tx, w).await?;
        } else {
            tx.rollback().await?;
        }
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ecard_notifications n WHERE n.id = $1 AND n.holder_id = $2"
        ))
        .bind(id)
        .bind(holder_id)
        .fetch_one(&self.writer)
        .await?;
        from_row(&row)
    }
}
