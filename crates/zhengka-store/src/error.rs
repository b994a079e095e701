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
                what: db
                    .constraint()
                    .map(str::to_owned)
                    .unwrap_or_else(|| db.message().to_owned()),
            },
            other => Self::Other(Box::new(other)),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Other(Box::new(e))
    }
}
