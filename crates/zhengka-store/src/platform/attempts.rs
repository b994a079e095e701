//! Shared counters and nonce caches: sign-in attempts (later e-card
//! registrations) and the presentation nonces each relying party has accepted.
//! Both live in the database, so parallel requests, several server instances and
//! restarts see the same state; each check is one atomic statement.

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::vault::hex;
use crate::{SqlStore, StoreError, Write};

/// How many attempts a key has had in its current window, this one included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCount {
    pub count: i64,
    pub window_ends: DateTime<Utc>,
}

/// Insert-or-increment in one statement: on PostgreSQL the conflicting row is
/// locked, on SQLite there is one writer, so two parallel attempts never read
/// the same count. An expired window starts again at 1 (both `CASE`s see the
/// old row).
const COUNT: &str = "INSERT INTO attempts (attempt_key, failures, window_ends) VALUES ($1, 1, $2) \
     ON CONFLICT (attempt_key) DO UPDATE SET \
     failures = CASE WHEN attempts.window_ends <= $3 THEN 1 ELSE attempts.failures + 1 END, \
     window_ends = CASE WHEN attempts.window_ends <= $4 THEN $5 ELSE attempts.window_ends END \
     RETURNING failures, window_ends";

/// A nonce already held by this verifier blocks the insert unless it has
/// expired (then the row is reused).
pub(crate) const USE_NONCE: &str = "INSERT INTO presentation_nonces (verifier, nonce, expires_at) \
     VALUES ($1, $2, $3) ON CONFLICT (verifier, nonce) DO UPDATE \
     SET expires_at = excluded.expires_at WHERE presentation_nonces.expires_at < $4";

impl SqlStore {
    /// What a key is stored as: its keyed hash (the store key's index key),
    /// so that a key made from what someone typed (a username that is an
    /// SSN, say) cannot be brute-forced back from the table.
    pub(crate) fn attempt_row_key(&self, key: &str) -> String {
        self.vault.index("attempt", key)
    }

    pub(crate) async fn attempt_count(
        &self,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptCount, StoreError> {
        let (now_text, ends) = (timestamp(now), timestamp(now + window));
        let row = sqlx::query(COUNT)
            .bind(self.attempt_row_key(key))
            .bind(&ends)
            .bind(&now_text)
            .bind(&now_text)
            .bind(&ends)
            .fetch_one(&self.writer)
            .await?;
        let window_ends: String = row.try_get("window_ends")?;
        Ok(AttemptCount {
            count: row.try_get("failures")?,
            window_ends: parse_time(&window_ends)?,
        })
    }

    pub(crate) async fn attempt_peek(
        &self,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT failures FROM attempts WHERE attempt_key = $1 AND window_ends > $2",
        )
        .bind(self.attempt_row_key(key))
        .bind(timestamp(now))
        .fetch_optional(&self.reader)
        .await?;
        Ok(match row {
            Some(r) => r.try_get("failures")?,
            None => 0,
        })
    }

    pub(crate) async fn attempt_clear(&self, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM attempts WHERE attempt_key = $1")
            .bind(self.attempt_row_key(key))
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    /// Commit `w` with `nonce` held for `verifier` until `expires_at`; `false`
    /// (nothing written) when the verifier holds that nonce already.
    pub(crate) async fn presentation_record(
        &self,
        verifier: &str,
        nonce: &[u8],
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(USE_NONCE)
            .bind(verifier)
            .bind(hex(nonce))
            .bind(timestamp(expires_at))
            .bind(timestamp(w.audit.at))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        self.finish(tx, w).await?;
        Ok(true)
    }

    /// Forget attempt windows and nonces that have ended; returns the rows removed.
    pub(crate) async fn expired_sweep(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = timestamp(now);
        let mut removed = 0;
        for sql in [
            "DELETE FROM attempts WHERE window_ends <= $1",
            "DELETE FROM presentation_nonces WHERE expires_at < $1",
        ] {
            let done = sqlx::query(sql).bind(&now).execute(&self.writer).await?;
            removed += done.rows_affected();
        }
        Ok(removed)
    }
}
