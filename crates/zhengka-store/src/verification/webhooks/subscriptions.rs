use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::verification::webhooks::Subscription;

use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::{SqlStore, StoreError, Write};

const COLUMNS: &str = "id, name, url, event_types, organisation_id, active, created_at, updated_at";

/// The vault context of a subscription's secret: bound to its row.
pub(super) fn secret_context(id: &str) -> String {
    format!("webhook_subscriptions:{id}")
}

fn from_row(row: &AnyRow) -> Result<Subscription, StoreError> {
    let types: String = row.try_get("event_types")?;
    Ok(Subscription {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        url: row.try_get("url")?,
        event_types: types
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        organisation_id: row.try_get("organisation_id")?,
        active: row.try_get::<i64, _>("active")? == 1,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_time(&row.try_get::<String, _>("updated_at")?)?,
    })
}

impl SqlStore {
    pub(super) async fn subscription_insert(
        &self,
        s: &Subscription,
        secret: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.vault.seal(&secret_context(&s.id), secret.as_bytes())?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO webhook_subscriptions (id, name, url, event_types, organisation_id, \
             secret_enc, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&s.id)
        .bind(&s.name)
        .bind(&s.url)
        .bind(s.event_types.join(","))
        .bind(&s.organisation_id)
        .bind(sealed)
        .bind(i64::from(s.active))
        .bind(timestamp(s.created_at))
        .bind(timestamp(s.updated_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    pub(super) async fn subscription_update(
        &self,
        s: &Subscription,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE webhook_subscriptions SET url = $1, event_types = $2, active = $3, \
             updated_at = $4 WHERE id = $5",
        )
        .bind(&s.url)
        .bind(s.event_types.join(","))
        .bind(i64::from(s.active))
        .bind(timestamp(s.updated_at))
        .bind(&s.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    pub(super) async fn subscription_rotate(
        &self,
        id: &str,
        secret: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.vault.seal(&secret_context(id), secret.as_bytes())?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE webhook_subscriptions SET secret_enc = $1, updated_at = $2 WHERE id = $3",
        )
        .bind(sealed)
        .bind(timestamp(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    pub(super) async fn subscription_get(&self, id: &str) -> Result<Subscription, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        from_row(&row)
    }

    pub(super) async fn subscription_list(
        &self,
        limit: i64,
    ) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions ORDER BY created_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Read on the writer: the subscriber's choice must see a subscription
    /// committed just before.
    pub(super) async fn subscriptions_wanting(
        &self,
        event_type: &str,
    ) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE active = 1 ORDER BY created_at, id"
        ))
        .fetch_all(&self.writer)
        .await?;
        let all = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        Ok(all.into_iter().filter(|s| s.wants(event_type)).collect())
    }

    /// The opened secret of subscription `id`.
    pub(super) fn subscription_secret(
        &self,
        id: &str,
        sealed: &[u8],
    ) -> Result<String, StoreError> {
        let plain = self.vault.open(&secret_context(id), sealed)?;
        String::from_utf8(plain).map_err(StoreError::other)
    }
}
