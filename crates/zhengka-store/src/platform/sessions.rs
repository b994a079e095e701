//! Sessions are stored by the hash of their token: a leaked database row does not
//! let anyone sign in.

use chrono::{DateTime, Utc};
use zhengka_domain::employer::User;

use crate::audit::timestamp;
use crate::platform::users::{USER_COLUMNS, user_from_row};
use crate::{SqlStore, StoreError, Write};

impl SqlStore {
    pub(crate) async fn session_insert(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(timestamp(w.audit.at))
        .bind(timestamp(expires_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    pub(crate) async fn session_get(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM sessions JOIN users ON users.id = sessions.user_id \
             WHERE sessions.token_hash = $1 AND sessions.expires_at > $2 \
             AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.user_id = users.id)"
        ))
        .bind(token_hash)
        .bind(timestamp(now))
        .fetch_one(&self.reader)
        .await?;
        user_from_row(&row)
    }

    pub(crate) async fn session_delete(
        &self,
        token_hash: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }
}
