use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::verification::webhooks::DeliveryStatus;

use super::{DueWebhook, WebhookDelivery};
use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{Attempted, Page, SqlStore, StoreError, Write};

const COLUMNS: &str = "d.id, d.subscription_id, d.event_id, d.event_type, d.status, d.attempts, \
                       d.next_attempt_at, d.last_error, d.created_at, d.delivered_at";

fn from_row(row: &AnyRow) -> Result<WebhookDelivery, StoreError> {
    let status: String = row.try_get("status")?;
    let delivered: Option<String> = row.try_get("delivered_at")?;
    Ok(WebhookDelivery {
        id: row.try_get("id")?,
        subscription_id: row.try_get("subscription_id")?,
        event_id: row.try_get("event_id")?,
        event_type: row.try_get("event_type")?,
        status: parsed(DeliveryStatus::parse(&status), "delivery status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: parse_time(&row.try_get::<String, _>("next_attempt_at")?)?,
        last_error: row.try_get("last_error")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        delivered_at: delivered.as_deref().map(parse_time).transpose()?,
    })
}

impl SqlStore {
    pub(super) async fn webhook_queue(
        &self,
        event_id: &str,
        event_type: &str,
        subscription_ids: &[String],
        w: Write,
    ) -> Result<(), StoreError> {
        let at = timestamp(w.audit.at);
        let mut tx = self.begin_write().await?;
        for s in subscription_ids {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, \
                 status, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(s)
            .bind(event_id)
            .bind(event_type)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        }
        // The outbox delivery row in `w` makes a second handling a conflict,
        // which rolls these rows back with it.
        self.finish(tx, w).await
    }

    pub(super) async fn webhook_due(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueWebhook>, StoreError> {
        // A deactivated subscription's deliveries wait (they go if it is
        // switched on again).
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, s.url, s.secret_enc, o.payload FROM webhook_deliveries d \
             JOIN webhook_subscriptions s ON s.id = d.subscription_id \
             JOIN outbox o ON o.id = d.event_id \
             WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND s.active = 1 \
             ORDER BY d.next_attempt_at, d.id LIMIT $2"
        ))
        .bind(timestamp(now))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let delivery = from_row(row)?;
                let sealed: Vec<u8> = row.try_get("secret_enc")?;
                Ok(DueWebhook {
                    secret: self.subscription_secret(&delivery.subscription_id, &sealed)?,
                    delivery,
                    url: row.try_get("url")?,
                    payload: row.try_get("payload")?,
                })
            })
            .collect()
    }

    /// A lease on one attempt: bookkeeping, so no audit event; the attempt's
    /// outcome is audited.
    pub(super) async fn webhook_claim(
        &self,
        d: &WebhookDelivery,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1 \
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

    pub(super) async fn webhook_finish(
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
            "UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, last_error = $3, \
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

    pub(super) async fn webhook_list(
        &self,
        subscription_id: &str,
        status: Option<DeliveryStatus>,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<WebhookDelivery>, StoreError> {
        // No cursor: start after the last moment any row can have.
        let (at, id) = after.unwrap_or_else(|| ("9999".into(), String::new()));
        let by_status = if status.is_some() {
            "AND d.status = $5"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_deliveries d WHERE d.subscription_id = $1 \
             AND (d.created_at < $2 OR (d.created_at = $2 AND d.id < $3)) {by_status} \
             ORDER BY d.created_at DESC, d.id DESC LIMIT $4"
        );
        let mut q = sqlx::query(&sql)
            .bind(subscription_id)
            .bind(at)
            .bind(id)
            .bind(limit);
        if let Some(s) = status {
            q = q.bind(s.as_str());
        }
        let rows = q.fetch_all(&self.reader).await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        let next_cursor = match items.last() {
            Some(last) if items.len() as i64 == limit => {
                Some((timestamp(last.created_at), last.id.clone()))
            }
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    pub(super) async fn webhook_get(&self, id: &str) -> Result<WebhookDelivery, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_deliveries d WHERE d.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.writer)
        .await?;
        from_row(&row)
    }

    pub(super) async fn webhook_redeliver(
        &self,
        id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<WebhookDelivery, StoreError> {
        let mut tx = self.begin_write().await?;
        // Guarded in the write: of two redeliveries at once, one moves it.
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, \
             next_attempt_at = $1, last_error = NULL, delivered_at = NULL \
             WHERE id = $2 AND status <> 'pending'",
        )
        .bind(timestamp(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            // Absent, or pending already.
            self.webhook_get(id).await?;
            return Err(StoreError::conflict("delivery_pending"));
        }
        self.finish(tx, w).await?;
        self.webhook_get(id).await
    }
}
