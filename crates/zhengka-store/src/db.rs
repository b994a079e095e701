//! Connecting: the backend comes from the URL scheme, once.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

use crate::write_tx::{WriteTx, Writes};
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
    /// How writes begin: group-committed (see `write_tx.rs`).
    writes: Writes,
}

/// `secure_delete` overwrites what is deleted, so rows that held personal data
/// in clear before an upgrade (migration 5) do not linger in free pages.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA secure_delete = ON;";

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
                if let Some(path) = sqlite_file_to_create(&url) {
                    create_private(&path)?;
                }
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
        let writes = Writes::grouped(writer.clone(), backend, write_lanes()?);
        Ok(Self {
            writer,
            reader,
            backend,
            vault,
            writes,
        })
    }

    /// The same store writing on `lanes` PostgreSQL writer lanes instead of
    /// `ZHENGKA_WRITE_LANES`'s (tests and harnesses; SQLite keeps one).
    pub fn with_write_lanes(mut self, lanes: usize) -> Self {
        self.writes = Writes::grouped(self.writer.clone(), self.backend, lanes);
        self
    }

    /// Begin a write: its statements, then [`SqlStore::finish`] (or
    /// [`WriteTx::commit`]) commits it. See `write_tx.rs` for group commit.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        self.writes.begin().await
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        crate::migrate::run(&self.writer, self.backend, &self.vault, i64::MAX).await
    }

    /// Apply the migrations up to `version` only: for tests of an upgrade,
    /// which write rows as an older release did and then call [`Self::migrate`].
    pub async fn migrate_up_to(&self, version: i64) -> Result<(), StoreError> {
        crate::migrate::run(&self.writer, self.backend, &self.vault, version).await
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
pub(crate) fn sqlite_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// The database file of a SQLite URL that may create it (`mode=rwc`), unless
/// the database lives in memory.
fn sqlite_file_to_create(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let creates = query.split('&').any(|p| p == "mode=rwc");
    let in_memory = path.is_empty() || path == ":memory:";
    (creates && !in_memory).then(|| PathBuf::from(path))
}

/// Create the database file before SQLite does, readable by its owner only
/// whatever the process umask: SQLite gives the -wal and -shm files the mode of
/// the database file, and all three hold personal data (if only encrypted).
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::other(format!(
            "cannot create the database file {}: {e}",
            path.display()
        ))),
    }
}

pub(crate) fn sqlite_pool(max: u32) -> AnyPoolOptions {
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

/// PostgreSQL writer lanes (`write_tx.rs`): `ZHENGKA_WRITE_LANES`, 1 to
/// `MAX_LANES`, 2 when unset (docs/deployment.md, docs/performance.md).
fn write_lanes() -> Result<usize, StoreError> {
    const NAME: &str = "ZHENGKA_WRITE_LANES";
    let Ok(value) = std::env::var(NAME) else {
        return Ok(2);
    };
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=crate::write_tx::MAX_LANES).contains(&n) => Ok(n),
        _ => Err(StoreError::other(format!(
            "{NAME} must be a whole number from 1 to {}, not {value:?}",
            crate::write_tx::MAX_LANES
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_file_to_create as file;

    #[test]
    fn the_file_to_create_comes_from_the_url() {
        assert_eq!(
            file("sqlite:///d/z.db?mode=rwc"),
            Some("/d/z.db".into()),
            "absolute"
        );
        assert_eq!(
            file("sqlite:z.db?cache=shared&mode=rwc"),
            Some("z.db".into())
        );
        assert_eq!(file("sqlite:///d/z.db?mode=ro"), None, "read-only");
        assert_eq!(file("sqlite::memory:?mode=rwc"), None);
        assert_eq!(file("postgres://h/db"), None);
    }
}
