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
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict {
                what: unique_key(db.constraint(), db.message()),
            },
            other => Self::Other(Box::new(other)),
        }
    }
}

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
