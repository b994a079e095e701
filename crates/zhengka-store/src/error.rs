use thiserror::Error;

/// The three things storage can tell its caller. Decode failures and database
/// faults are `Other`, never `NotFound`: a broken row must not look absent.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique key or optimistic-version clash; `what` names the key.
    #[error("conflict on {what}")]
    Conflict { what: String },
    #[error(transparent)]
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// The unique index that keeps one active (not expired, cancelled or revoked)
/// permit per passport; a write that would make a second one is a conflict on
/// this key, on either backend.
pub const ONE_ACTIVE_PERMIT: &str = "permits_one_active_per_holder";

/// Enrolling TOTP for a user whose TOTP is already on.
pub const TOTP_ACTIVE: &str = "totp_active";
/// Confirming a TOTP secret that is no longer the pending one.
pub const TOTP_CHANGED: &str = "totp_changed";

impl StoreError {
    pub fn other(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Other(e.into())
    }

    pub fn conflict(what: impl Into<String>) -> Self {
        Self::Conflict { what: what.into() }
    }

    /// A racing write took the status-list index this write drew (both saw
    /// it free; the owner's unique key let one in): draw again and retry.
    pub fn is_status_index_taken(&self) -> bool {
        matches!(self, Self::Conflict { what } if status_index_taken(what))
    }
}

/// Whether a unique key clash named by [`StoreError::Conflict`] is a status
/// index's: permits' (`status_entries`, claimed by the store), cards' and
/// devices' (their `status_index` columns; PostgreSQL names the constraint,
/// SQLite the column).
pub fn status_index_taken(what: &str) -> bool {
    what == crate::permits::status::STATUS_INDEX
        || what.ends_with("_status_index_key")
        || what.ends_with(".status_index")
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict {
                what: unique_key(db.constraint(), db.message()),
            },
            // PostgreSQL broke a lock cycle between two writes of different
            // write lanes (write_tx.rs) by failing this one: it changed
            // nothing (its savepoint is rolled back) and may be retried.
            sqlx::Error::Database(db) if db.code().as_deref() == Some(DEADLOCK_DETECTED) => {
                Self::Conflict {
                    what: WRITE_DEADLOCK.into(),
                }
            }
            other => Self::Other(Box::new(other)),
        }
    }
}

/// The conflict of a write that PostgreSQL failed to break a lock cycle.
pub const WRITE_DEADLOCK: &str = "write_deadlock";

/// PostgreSQL's SQLSTATE `deadlock_detected`.
const DEADLOCK_DETECTED: &str = "40P01";

/// The name of the unique key a write clashed with. PostgreSQL names the
/// constraint or index; SQLite only says `UNIQUE constraint failed: table.column`,
/// so the one partial index on `permits.passport_hmac` is named here.
fn unique_key(constraint: Option<&str>, message: &str) -> String {
    match constraint {
        Some(name) => name.to_owned(),
        None if message.ends_with("permits.passport_hmac") => ONE_ACTIVE_PERMIT.to_owned(),
        None => message.to_owned(),
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Other(Box::new(e))
    }
}
