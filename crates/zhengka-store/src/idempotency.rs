//! Idempotency keys: the first response to a write is stored with it, in the same
//! transaction, and a retry with the same key gets that response back for
//! [`IDEMPOTENCY_TTL_HOURS`]. The response may carry a passport number or a
//! name, so it is sealed with the vault (with the request hash), bound to its row.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::timestamp;
use crate::{Backend, SqlStore, StoreError, Write, WriteTx};

/// How long a stored response is replayed; later the key is free again.
pub const IDEMPOTENCY_TTL_HOURS: i64 = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentResponse {
    pub user_id: String,
    pub key: String,
    /// Hash of method, path and body: the same key with another request is refused.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// What `response_enc` holds. The request hash goes in too: it is a plain
/// digest of a body with personal data in it.
#[derive(Serialize, Deserialize)]
struct Sealed {
    request_hash: String,
    body: String,
}

macro_rules! upsert {
    () => {
        "ON CONFLICT (user_id, idem_key) DO UPDATE SET status = excluded.status, \
         response_enc = excluded.response_enc, created_at = excluded.created_at, \
         expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= excluded.created_at"
    };
}

const INSERT_SQLITE: &str = concat!(
    "INSERT INTO idempotency_keys (user_id, idem_key, status, response_enc, created_at, \
     expires_at) VALUES ($1, $2, $3, $4, $5, $6) ",
    upsert!()
);

/// On PostgreSQL the key is first claimed with a transaction-scoped advisory
/// lock, tried without waiting: a request whose twin (same user and key) is
/// in another write lane's open batch is refused at once as in use, instead
/// of waiting on the twin's uncommitted row, where two such pairs crossing
/// two lanes deadlocked (a 1 s stall of both lanes; docs/performance.md).
/// The insert itself then never waits: every writer of a key holds its lock
/// until its batch ends. 2053793387 (`zk` + 1) names this use of the lock
/// space; a hash collision with another key in flight is a retryable 409.
const INSERT_POSTGRES: &str = concat!(
    "INSERT INTO idempotency_keys (user_id, idem_key, status, response_enc, created_at, \
     expires_at) SELECT $1::TEXT, $2::TEXT, $3::BIGINT, $4::BYTEA, $5::TEXT, $6::TEXT \
     WHERE pg_try_advisory_xact_lock(2053793387, hashtext($1::TEXT || ':' || $2::TEXT)) ",
    upsert!()
);

fn context(user_id: &str, key: &str) -> String {
    format!("idempotency:{user_id}:{key}")
}

impl SqlStore {
    /// Finish a write: idempotency record and delivery, then commit; the
    /// audit event and the outbox entries are appended with the rest of the
    /// batch's at its end (see `write_tx.rs`).
    pub(crate) async fn finish(&self, mut tx: WriteTx, w: Write) -> Result<(), StoreError> {
        if let Some(r) = &w.idempotency {
            self.idempotency_insert(&mut tx, r, w.audit.at).await?;
        }
        if let Some(d) = &w.delivery {
            crate::outbox::deliver(&mut tx, d).await?;
        }
        tx.commit_chained(crate::audit::Chained {
            audit: w.audit,
            events: w.events,
        })
        .await
    }

    /// Insert the record; an expired record that the sweep has not reached
    /// yet gives its key up (the `DO UPDATE ... WHERE`); a live one is a
    /// conflict.
    async fn idempotency_insert(
        &self,
        tx: &mut WriteTx,
        r: &IdempotentResponse,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let plain = serde_json::to_vec(&Sealed {
            request_hash: r.request_hash.clone(),
            body: r.body.clone(),
        })?;
        let sealed = self.vault.seal(&context(&r.user_id, &r.key), &plain)?;
        let sql = match self.backend {
            Backend::Sqlite => INSERT_SQLITE,
            Backend::Postgres => INSERT_POSTGRES,
        };
        let done = sqlx::query(sql)
            .bind(&r.user_id)
            .bind(&r.key)
            .bind(i64::from(r.status))
            .bind(sealed)
            .bind(timestamp(at))
            .bind(timestamp(at + Duration::hours(IDEMPOTENCY_TTL_HOURS)))
            .execute(&mut **tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { what } if what != crate::WRITE_DEADLOCK => {
                    StoreError::conflict("idempotency_key")
                }
                other => other,
            })?;
        if done.rows_affected() == 0 {
            return Err(StoreError::conflict("idempotency_key"));
        }
        Ok(())
    }

    /// The stored response for this user's key, unless it has expired by `now`.
    pub(crate) async fn idempotency_get(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        let row = sqlx::query(
            "SELECT status, response_enc FROM idempotency_keys \
             WHERE user_id = $1 AND idem_key = $2 AND expires_at > $3",
        )
        .bind(user_id)
        .bind(key)
        .bind(timestamp(now))
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let status: i64 = row.try_get("status")?;
        let sealed: Vec<u8> = row.try_get("response_enc")?;
        let plain: Sealed =
            serde_json::from_slice(&self.vault.open(&context(user_id, key), &sealed)?)?;
        Ok(Some(IdempotentResponse {
            user_id: user_id.to_owned(),
            key: key.to_owned(),
            request_hash: plain.request_hash,
            status: u16::try_from(status).map_err(StoreError::other)?,
            body: plain.body,
        }))
    }

    /// Delete the records expired by `now`; how many there were.
    pub(crate) async fn idempotency_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
            .bind(timestamp(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}
