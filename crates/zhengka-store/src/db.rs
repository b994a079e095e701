//! Connecting: the backend comes from the URL scheme, once.

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::{StoreError, Vault};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::other(
                "database URL must start with sqlite: or postgres:",
            ))
        }
    }
}

/// The one [`crate::Store`] implementation. SQLite gets a single writer
/// connection (SQLite has one writer anyway; this turns lock contention into a
/// queue) beside a pool of readers; PostgreSQL uses one pool for both.
#[derive(Debug)]
pub struct SqlStore {
    pub(crate) writer: AnyPool,
    pub(crate) reader: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) vault: Vault,
}

const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

impl SqlStore {
    /// Connect and bring the schema up to date.
    pub async fn connect(url: &str, vault: Vault) -> Result<Self, StoreError> {
        let store = Self::connect_only(url, vault).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub async fn connect_only(url: &str, vault: Vault) -> Result<Self, StoreError> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let (writer, reader) = match backend {
            Backend::Sqlite => {
                let url = sqlite_url(url);
                let writer = sqlite_pool(1).connect(&url).await?;
                let reader = sqlite_pool(4).connect(&url).await?;
                (writer, reader)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                (pool.clone(), pool)
            }
        };
        Ok(Self {
            writer,
            reader,
            backend,
            vault,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        crate::migrate::run(&self.writer, self.backend).await
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// Create the file if missing, unless the caller said otherwise.
fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(30))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}
