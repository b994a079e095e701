//! The employers & users context: employers, user accounts with their
//! passwords and TOTP, sessions, and the attempt counters behind lockouts.

mod account_admin;
pub(crate) mod attempts;
mod directory;
pub(crate) mod employers;
pub(crate) mod sessions;
pub(crate) mod users;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zhengka_domain::employer::{Employer, User};

use crate::{AttemptCount, SqlStore, StoreError, Write};

pub use directory::{Counted, EmployerFilter, UserFilter};

/// A user with the hash of their password and their TOTP state, for sign-in only.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
    pub totp: Option<Totp>,
    /// An admin switched the account off: no sign-in, no session.
    pub blocked: bool,
}

/// A user's TOTP secret (decrypted), whether it is confirmed, and the last
/// time step a code was accepted for.
#[derive(Clone)]
pub struct Totp {
    pub secret: Vec<u8>,
    pub active: bool,
    pub last_step: Option<i64>,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Totp(***, active {})", self.active)
    }
}

/// What the employers & users context asks of storage.
#[async_trait]
pub trait UserStore: Send + Sync {
    async fn insert_employer(&self, e: &Employer, w: Write) -> Result<(), StoreError>;
    async fn get_employer(&self, id: &str) -> Result<Employer, StoreError>;
    async fn list_employers(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Employer>, StoreError>;

    async fn insert_user(&self, u: &User, password_hash: &str, w: Write) -> Result<(), StoreError>;
    async fn user_by_username(&self, username: &str) -> Result<UserRecord, StoreError>;
    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Employers matching `f` (a page) and how many match in all.
    async fn find_employers(&self, f: &EmployerFilter) -> Result<Counted<Employer>, StoreError>;
    /// Users matching `f` (a page) and how many match in all.
    async fn find_users(&self, f: &UserFilter) -> Result<Counted<User>, StoreError>;
    /// One user by id (to name the officers in an application's history).
    async fn get_user(&self, id: &str) -> Result<User, StoreError>;
    /// Store a new (unconfirmed) TOTP secret; a conflict on `TOTP_ACTIVE` if
    /// TOTP is on.
    async fn enrol_totp(&self, user_id: &str, secret: &[u8], w: Write) -> Result<(), StoreError>;
    /// Switch TOTP on for the pending `secret` and use `step`; a conflict on
    /// `TOTP_CHANGED` if `secret` is no longer the pending one.
    async fn activate_totp(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Accept `step` for `user_id` once: false if it (or a later one) was used.
    async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError>;
    /// Switch TOTP off (the secret is forgotten) if it is on with `secret`
    /// and `step` was not used yet; a conflict on `TOTP_CHANGED` otherwise.
    async fn disable_totp(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Switch an account off (its sessions end) or on again.
    async fn block_user(
        &self,
        user_id: &str,
        blocked: bool,
        now: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The ids of the accounts switched off.
    async fn blocked_user_ids(&self) -> Result<Vec<String>, StoreError>;
    /// Change an account's role, employer and region to `user`'s (its
    /// sessions end). `NotFound` for an unknown id.
    async fn set_user_scope(&self, user: &User, w: Write) -> Result<(), StoreError>;
    /// Forget the attempts counted under `attempt_key` (an admin's unlock).
    async fn unlock_attempts(&self, attempt_key: &str, w: Write) -> Result<(), StoreError>;
    /// A one-time password reset link (its token's hash) for `user_id`,
    /// replacing any earlier one.
    async fn insert_password_reset(
        &self,
        token_hash: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The user a live reset link is for (`NotFound` if used or expired).
    async fn password_reset_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError>;
    /// Use a reset link once: new password, link gone, sessions ended.
    async fn redeem_password_reset(
        &self,
        token_hash: &str,
        user_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Users ordered by username, after the `after` username.
    async fn list_users(&self, after: Option<&str>, limit: i64) -> Result<Vec<User>, StoreError>;

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The user of an unexpired session.
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<User, StoreError>;
    async fn delete_session(&self, token_hash: &str, w: Write) -> Result<(), StoreError>;

    /// Count one attempt under `key` (e.g. `signin:<username>`) before the
    /// work it guards is done; a window of `window` starts with the first.
    async fn count_attempt(
        &self,
        key: &str,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptCount, StoreError>;
    /// The attempts under `key` in its window still open at `now` (0 if none),
    /// counting nothing.
    async fn peek_attempts(&self, key: &str, now: DateTime<Utc>) -> Result<i64, StoreError>;
    /// Forget the attempts under `key` (after a success).
    async fn clear_attempts(&self, key: &str) -> Result<(), StoreError>;
}

#[async_trait]
impl UserStore for SqlStore {
    async fn insert_employer(&self, e: &Employer, w: Write) -> Result<(), StoreError> {
        self.employer_insert(e, w).await
    }
    async fn get_employer(&self, id: &str) -> Result<Employer, StoreError> {
        self.employer_get(id).await
    }
    async fn list_employers(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Employer>, StoreError> {
        self.employer_list(after, limit).await
    }
    async fn insert_user(&self, u: &User, password_hash: &str, w: Write) -> Result<(), StoreError> {
        self.user_insert(u, password_hash, w).await
    }
    async fn user_by_username(&self, username: &str) -> Result<UserRecord, StoreError> {
        self.user_by_name(username).await
    }
    async fn get_user(&self, id: &str) -> Result<User, StoreError> {
        self.user_get(id).await
    }
    async fn find_employers(&self, f: &EmployerFilter) -> Result<Counted<Employer>, StoreError> {
        self.employer_find(f).await
    }
    async fn find_users(&self, f: &UserFilter) -> Result<Counted<User>, StoreError> {
        self.user_find(f).await
    }
    async fn count_users(&self) -> Result<i64, StoreError> {
        self.user_count().await
    }
    async fn enrol_totp(&self, user_id: &str, secret: &[u8], w: Write) -> Result<(), StoreError> {
        self.totp_enrol(user_id, secret, w).await
    }
    async fn activate_totp(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        self.totp_activate(user_id, secret, step, w).await
    }
    async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        self.totp_use_step(user_id, step).await
    }
    async fn disable_totp(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        self.totp_disable(user_id, secret, step, w).await
    }
    async fn block_user(
        &self,
        user_id: &str,
        blocked: bool,
        now: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.user_block(user_id, blocked, now, w).await
    }
    async fn set_user_scope(&self, user: &User, w: Write) -> Result<(), StoreError> {
        self.user_set_scope(user, w).await
    }
    async fn blocked_user_ids(&self) -> Result<Vec<String>, StoreError> {
        self.user_blocked_ids().await
    }
    async fn unlock_attempts(&self, attempt_key: &str, w: Write) -> Result<(), StoreError> {
        self.user_unlock(attempt_key, w).await
    }
    async fn insert_password_reset(
        &self,
        token_hash: &str,
        user_id: &str,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.reset_insert(token_hash, user_id, now, expires_at, w)
            .await
    }
    async fn password_reset_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        self.reset_user(token_hash, now).await
    }
    async fn redeem_password_reset(
        &self,
        token_hash: &str,
        user_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.reset_redeem(token_hash, user_id, password_hash, now, w)
            .await
    }
    async fn list_users(&self, after: Option<&str>, limit: i64) -> Result<Vec<User>, StoreError> {
        self.user_list(after, limit).await
    }
    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.session_insert(token_hash, user_id, expires_at, w)
            .await
    }
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<User, StoreError> {
        self.session_get(token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &str, w: Write) -> Result<(), StoreError> {
        self.session_delete(token_hash, w).await
    }
    async fn peek_attempts(&self, key: &str, now: DateTime<Utc>) -> Result<i64, StoreError> {
        self.attempt_peek(key, now).await
    }
    async fn count_attempt(
        &self,
        key: &str,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptCount, StoreError> {
        self.attempt_count(key, window, now).await
    }
    async fn clear_attempts(&self, key: &str) -> Result<(), StoreError> {
        self.attempt_clear(key).await
    }
}
