//! Attempt limits kept in the database (`Store::count_attempt`), so that parallel
//! guesses, several server instances and restarts all see one count. An attempt
//! is counted *before* the work it guards (checking a password), and refused
//! without doing that work once the count is over the limit; a success clears
//! the count. Generic over the key, so e-card registration can reuse it.

use chrono::{DateTime, Duration, Utc};
use zhengka_store::Store;

use crate::http::ApiError;

/// At most `max` attempts per key within `window_secs` of the first.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// Sign-in: 5 attempts per username per 15 minutes.
pub const SIGN_IN: Limit = Limit {
    max: 5,
    window_secs: 15 * 60,
};

/// The key under which sign-ins for `username` (already normalised) are
/// counted: its SHA-256, so that whatever was typed as a username (sometimes a
/// password, any length, even a NUL) is neither stored nor refused by the database.
pub fn sign_in_key(username: &str) -> String {
    format!("signin:{}", super::token::hash(username))
}

/// Count one attempt under `key`; 429 (with the seconds left in the window)
/// when this attempt is over the limit.
pub async fn attempt(
    store: &dyn Store,
    key: &str,
    limit: Limit,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let counted = store
        .count_attempt(key, Duration::seconds(limit.window_secs), now)
        .await?;
    if counted.count > limit.max {
        let left = (counted.window_ends - now).num_seconds();
        return Err(ApiError::TooManyRequests {
            retry_after_secs: u64::try_from(left).unwrap_or(0).max(1),
        });
    }
    Ok(())
}

/// The guarded work succeeded: the attempts under `key` are forgotten.
pub async fn succeeded(store: &dyn Store, key: &str) -> Result<(), ApiError> {
    store.clear_attempts(key).await?;
    Ok(())
}
