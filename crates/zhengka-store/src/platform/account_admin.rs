//! What an admin does to another's account: switch it off (its sessions end
//! with it) and on again, clear its sign-in attempts, and issue a one-time
//! password reset link; change its role, employer and region. Each in one transaction with its audit event.

use chrono::{DateTime, Utc};
use sqlx::Row;
use zhengka_domain::employer::User;

use crate::audit::timestamp;
use crate::{SqlStore, StoreError, Write};

impl SqlStore {
    pub(crate) async fn user_block(
        &self,
        user_id: &str,
        blocked: bool,
        now: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        if blocked {
            sqlx::query(
                "INSERT INTO user_blocks (user_id, blocked_at) VALUES ($1, $2) \
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(timestamp(now))
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("DELETE FROM user_blocks WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        self.finish(tx, w).await
    }

    /// The ids of every switched-off account (few: a page marks them).
    pub(crate) async fn user_blocked_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT user_id FROM user_blocks ORDER BY user_id")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| r.try_get("user_id").map_err(StoreError::from))
            .collect()
    }

    pub(crate) async fn user_unlock(&self, attempt_key: &str, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM attempts WHERE attempt_key = $1")
            .bind(self.attempt_row_key(attempt_key))
            .execute(&mut *tx)
            .await?;
        self.finish(tx, w).await
    }

    /// A new reset link for `user_id`; an earlier one stops working.
    pub(crate) async fn reset_insert(
        &self,
        token_hash: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(timestamp(now))
        .bind(timestamp(expires_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    /// The user a live reset link is for.
    pub(crate) async fn reset_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let row = sqlx::query(
            "SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_one(&self.reader)
        .await?;
        Ok(row.try_get("user_id")?)
    }

    /// Use the link once: the new password, the link gone, every session of
    /// the account ended. `NotFound` if the link was used or expired meanwhile.
    pub(crate) async fn reset_redeem(
        &self,
        token_hash: &str,
        user_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let used = sqlx::query(
            "DELETE FROM password_resets WHERE token_hash = $1 AND user_id = $2 \
             AND expires_at > $3",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(timestamp(now))
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        self.finish(tx, w).await
    }
}

impl SqlStore {
    /// Give `u.id` the role, employer and region of `u` (an admin's edit).
    /// Its sessions end: the next request signs in again under the new scope.
    pub(crate) async fn user_set_scope(&self, u: &User, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET role = $1, employer_id = $2, region_code = $3 WHERE id = $4",
        )
        .bind(u.role.as_str())
        .bind(u.employer_id.as_deref())
        .bind(u.region_code.as_ref().map(|r| r.as_str()))
        .bind(&u.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&u.id)
            .execute(&mut *tx)
            .await?;
        self.finish(tx, w).await
    }
}
