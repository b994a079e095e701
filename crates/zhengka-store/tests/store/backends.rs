//! Fresh databases for the stories: a temp-file SQLite database always, and a
//! throwaway PostgreSQL database when `ZHENGKA_TEST_DATABASE_URL` is set.

use std::future::Future;
use std::path::PathBuf;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection};
use zhengka_store::{SqlStore, Vault};

pub const PG_ENV: &str = "ZHENGKA_TEST_DATABASE_URL";

/// One fresh, migrated database, for one story on one backend.
pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    pub store: SqlStore,
}

impl TestDb {
    /// A connection beside the store, for what its API deliberately does not
    /// offer: reading raw rows and tampering with them.
    pub async fn raw(&self) -> AnyPool {
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.url)
            .await
            .expect("raw connection to the test database")
    }

    pub async fn count(&self, table: &str) -> i64 {
        let raw = self.raw().await;
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&raw)
            .await
            .expect("count rows");
        raw.close().await;
        n
    }
}

/// What to remove once the story is over, whether it passed or not.
pub enum Cleanup {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

impl Cleanup {
    pub async fn run(self) {
        match self {
            Self::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Self::Database { admin_url, name } => {
                // Best effort: a leftover zk_test_* database harms nobody.
                if let Ok(mut conn) = AnyConnection::connect(&admin_url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(&sql).execute(&mut conn).await;
                    let _ = conn.close().await;
                }
            }
        }
    }
}

fn vault() -> Vault {
    Vault::from_key_material(&Vault::generate_key_material()).expect("64 bytes of key material")
}

/// A URL for a fresh SQLite file, not yet created.
pub fn sqlite_url() -> (String, Cleanup) {
    let dir = std::env::temp_dir().join(format!("zhengka-store-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let url = format!("sqlite://{}/x.db", dir.display());
    (url, Cleanup::Dir(dir))
}

/// A URL for a fresh, empty PostgreSQL database on the server `admin_url` names.
pub async fn postgres_url(admin_url: &str) -> (String, Cleanup) {
    install_default_drivers();
    let name = format!("zk_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = AnyConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach {PG_ENV}: {e}"));
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let _ = conn.close().await;
    let (without_query, query) = match admin_url.split_once('?') {
        Some((u, q)) => (u, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let (server, _db) = without_query
        .rsplit_once('/')
        .expect("a postgres URL has a path");
    let url = format!("{server}/{name}{query}");
    let cleanup = Cleanup::Database {
        admin_url: admin_url.to_owned(),
        name,
    };
    (url, cleanup)
}

async fn connect(name: &'static str, url: String) -> TestDb {
    let store = SqlStore::connect(&url, vault())
        .await
        .unwrap_or_else(|e| panic!("connect and migrate {name}: {e}"));
    TestDb { name, url, store }
}

pub async fn fresh_sqlite() -> (TestDb, Cleanup) {
    let (url, cleanup) = sqlite_url();
    (connect("sqlite", url).await, cleanup)
}

pub async fn fresh_postgres(admin_url: &str) -> (TestDb, Cleanup) {
    let (url, cleanup) = postgres_url(admin_url).await;
    (connect("postgres", url).await, cleanup)
}

/// The PostgreSQL server to test against, or a one-line notice that there is none.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("note: {PG_ENV} is not set; PostgreSQL skipped, SQLite only");
            None
        }
    }
}

/// Run `story` once per backend, each time on a fresh database. A failing
/// story still has its database removed, then fails the test naming the backend.
pub async fn for_each_backend<F, Fut>(story: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // None: SQLite; Some(url): PostgreSQL on that server.
    let mut backends = vec![None];
    if let Some(admin_url) = postgres_admin_url() {
        backends.push(Some(admin_url));
    }
    for admin_url in backends {
        let (db, cleanup) = match admin_url {
            None => fresh_sqlite().await,
            Some(url) => fresh_postgres(&url).await,
        };
        let name = db.name;
        eprintln!("story on {name}");
        let outcome = tokio::spawn(story(db)).await;
        cleanup.run().await;
        if let Err(e) = outcome {
            eprintln!("story failed on {name}");
            match e.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(e) => panic!("story on {name} did not finish: {e}"),
            }
        }
    }
}
