//! Idempotency keys: the first response to a write is stored with it, in the same
//! transaction, and a retry with the same key gets that response back.

use sqlx::{Any, Row, Transaction};

use crate::audit::timestamp;
use crate::{SqlStore, StoreError, Write};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    pub user_id: String,
    pub key: String,
    /// Hash of method, path and body: the same key with another request is refused.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// Finish a write: audit event, idempotency record, commit.
pub(crate) async fn finish(mut tx: Transaction<'_, Any>, w: Write) -> Result<(), StoreError> {
    crate::audit::append(&mut tx, &w.audit).await?;
    crate::outbox::append(&mut tx, &w.events).await?;
    if let Some(d) = &w.delivery {
        crate::outbox::deliver(&mut tx, d).await?;
    }
    if let Some(r) = &w.idempotency {
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, response, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&r.user_id)
        .bind(&r.key)
        .bind(&r.request_hash)
        .bind(i64::from(r.status))
        .bind(&r.body)
        .bind(timestamp(w.audit.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::conflict("idempotency_key"),
            other => other,
        })?;
    }
    tx.commit().await?;
    Ok(())
}

impl SqlStore {
    pub(crate) async fn idempotency_get(
        &self,
        user_id: &str,
        key: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        let row = sqlx::query(
            "SELECT request_hash, status, response FROM idempotency_keys \
             WHERE user_id = $1 AND idem_key = $2",
        )
        .bind(user_id)
        .bind(key)
        .fetch_optional(&self.reader)
        .await?;
        row.map(|r| {
            let status: i64 = r.try_get("status")?;
            Ok(IdempotentResponse {
                user_id: user_id.to_owned(),
                key: key.to_owned(),
                request_hash: r.try_get("request_hash")?,
                status: u16::try_from(status).map_err(StoreError::other)?,
                body: r.try_get("response")?,
            })
        })
        .transpose()
    }
}
