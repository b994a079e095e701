//! Fresh databases for tests and harnesses: always a new SQLite file, plus a new
//! PostgreSQL database when `ZHENGKA_TEST_DATABASE_URL` names a server.

use std::path::PathBuf;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Connection, Executor};

use crate::{SqlStore, StoreError, Vault};

pub const DATABASE_URL_VAR: &str = "ZHENGKA_TEST_DATABASE_URL";

/// One fresh database. The SQLite directory is removed on drop; PostgreSQL
/// databases are left for the server's owner to drop (names start `zk_test_`).
pub struct TestDatabase {
    pub backend: &'static str,
    pub url: String,
    dir: Option<PathBuf>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl TestDatabase {
    pub async fn connect(&self) -> Result<SqlStore, StoreError> {
        SqlStore::connect(
            &self.url,
            Vault::from_key_material(&Vault::generate_key_material())?,
        )
        .await
    }
}

fn unique_name() -> String {
    let bytes = Vault::generate_key_material();
    crate::vault::hex(&bytes[..8])
}

pub fn sqlite() -> TestDatabase {
    let dir = std::env::temp_dir().join(format!("zhengka-test-{}", unique_name()));
    std::fs::create_dir_all(&dir).expect("temp dir is writable");
    TestDatabase {
        backend: "sqlite",
        url: format!("sqlite://{}", dir.join("test.db").display()),
        dir: Some(dir),
    }
}

/// A new database on the server named by `ZHENGKA_TEST_DATABASE_URL`, if set.
pub async fn postgres() -> Option<TestDatabase> {
    let admin_url = std::env::var(DATABASE_URL_VAR)
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!("zk_test_{}", unique_name());
    let mut conn = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("{DATABASE_URL_VAR} is set but PostgreSQL is unreachable: {e}"));
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("CREATE DATABASE");
    conn.close().await.ok();
    Some(TestDatabase {
        backend: "postgres",
        url: with_database(&admin_url, &name),
        dir: None,
    })
}

/// SQLite always; PostgreSQL too when configured.
pub async fn all() -> Vec<TestDatabase> {
    let mut dbs = vec![sqlite()];
    match postgres().await {
        Some(pg) => dbs.push(pg),
        None => eprintln!("note: {DATABASE_URL_VAR} is not set; PostgreSQL skipped"),
    }
    dbs
}

/// Connections for measuring bare commits on `url` (the yardstick of the load
/// harness): on SQLite the store's one writer connection with the store's
/// pragmas (SQLite has one writer; more connections only wait on its lock), on
/// PostgreSQL one connection per client.
pub async fn commit_pool(url: &str, clients: u32) -> Result<AnyPool, StoreError> {
    install_default_drivers();
    let pool = match crate::Backend::from_url(url)? {
        crate::Backend::Sqlite => {
            crate::db::sqlite_pool(1)
                .connect(&crate::db::sqlite_url(url))
                .await?
        }
        crate::Backend::Postgres => {
            AnyPoolOptions::new()
                .max_connections(clients)
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await?
        }
    };
    Ok(pool)
}

/// `url` with its database name replaced by `name` (query kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_replaces_the_path() {
        use super::with_database as w;
        assert_eq!(
            w("postgres://u@h:5432/postgres", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(w("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
        assert_eq!(
            w("postgres://u@h/db?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
