use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::inbox::{COLUMNS, from_row as notification};
use super::{Attempted, NotificationDelivery};
use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::{SqlStore, StoreError, Write};

fn from_row(row: &AnyRow) -> Result<NotificationDelivery, StoreError> {
    Ok(NotificationDelivery {
        id: row.try_get("delivery_id")?,
        notification: notification(row)?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: parse_time(&row.try_get::<String, _>("next_attempt_at")?)?,
        last_error: row.try_get("last_error")?,
    })
}

fn select(clause: &str) -> String {
    format!(
        "SELECT d.id AS delivery_id, d.status, d.attempts, d.next_attempt_at, d.last_error, \
         {COLUMNS} FROM ecard_deliveries d \
         JOIN ecard_notifications n ON n.id = d.notification_id WHERE {clause}"
    )
}

impl SqlStore {
    pub(super) async fn delivery_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<NotificationDelivery>, StoreError> {
        let sql = select(
            "d.status = 'pending' AND d.next_attempt_at <= $1 \
             ORDER BY d.next_attempt_at, d.id LIMIT $2",
        );
        let rows = sqlx::query(&sql)
            .bind(timestamp(now))
            .bind(limit)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// A lease on one attempt, like `job_leases`: bookkeeping, so no audit
    /// event; the attempt's outcome is audited.
    pub(super) async fn delivery_claim(
        &self,
        d: &NotificationDelivery,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE ecard_deliveries SET attempts = attempts + 1, next_attempt_at = $1 \
             WHERE id = $2 AND status = 'pending' AND attempts = $3 AND next_attempt_at = $4",
        )
        .bind(timestamp(until))
        .bind(&d.id)
        .bind(d.attempts)
        .bind(timestamp(d.next_attempt_at))
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn delivery_finish(
        &self,
        id: &str,
        attempts: i64,
        outcome: &Attempted,
        w: Write,
    ) -> Result<(), StoreError> {
        let at = timestamp(w.audit.at);
        let (status, next, error, delivered) = match outcome {
            Attempted::Delivered => ("delivered", at.clone(), None, Some(at.clone())),
            Attempted::Failed {
                error,
                retry_at: Some(retry),
            } => ("pending", timestamp(*retry), Some(error.as_str()), None),
            Attempted::Failed {
                error,
                retry_at: None,
            } => ("dead", at.clone(), Some(error.as_str()), None),
        };
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE ecard_deliveries SET status = $1, next_attempt_at = $2, last_error = $3, \
             delivered_at = $4 WHERE id = $5 AND status = 'pending' AND attempts = $6",
        )
        .bind(status)
        .bind(next)
        .bind(error)
        .bind(delivered)
        .bind(id)
        .bind(attempts)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("delivery_claimed"));
        }
        self.finish(tx, w).await
    }

    pub(super) async fn delivery_get(
        &self,
        notification_id: &str,
    ) -> Result<NotificationDelivery, StoreError> {
        let row = sqlx::query(&select("d.notification_id = $1"))
            .bind(notification_id)
            .fetch_one(&self.reader)
            .await?;
        from_row(&row)
    }
}
