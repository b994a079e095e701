//! Embedded migrations, one set per dialect, applied in order, each in its own
//! transaction and recorded with a checksum so an edited migration is caught.

use sqlx::{AnyPool, Executor, Row};

use crate::vault::hex;
use crate::{Backend, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "credential_status",
        sqlite: include_str!("../migrations/sqlite/0002_credential_status.sql"),
        postgres: include_str!("../migrations/postgres/0002_credential_status.sql"),
    },
    Migration {
        version: 3,
        name: "totp",
        sqlite: include_str!("../migrations/sqlite/0003_totp.sql"),
        postgres: include_str!("../migrations/postgres/0003_totp.sql"),
    },
    Migration {
        version: 4,
        name: "materials",
        sqlite: include_str!("../migrations/sqlite/0004_materials.sql"),
        postgres: include_str!("../migrations/postgres/0004_materials.sql"),
    },
    Migration {
        version: 7,
        name: "one_active_permit",
        sqlite: include_str!("../migrations/sqlite/0007_one_active_permit.sql"),
        postgres: include_str!("../migrations/postgres/0007_one_active_permit.sql"),
    },
];

pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
         version BIGINT PRIMARY KEY NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for m in MIGRATIONS {
        let sql = match backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let checksum = hex(ring::digest::digest(&ring::digest::SHA256, sql.as_bytes()).as_ref());
        let applied = sqlx::query("SELECT checksum FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_optional(pool)
            .await?;
        if let Some(row) = applied {
            let stored: String = row.try_get("checksum")?;
            if stored != checksum {
                return Err(StoreError::other(format!(
                    "migration {} ({}) was changed after it was applied",
                    m.version, m.name
                )));
            }
            continue;
        }
        let mut tx = pool.begin().await?;
        // Through `Executor` (a boxed, `Send` future): `raw_sql(..).execute(&mut *tx)`
        // makes this future, and so `SqlStore::connect`, not provably `Send`.
        // Name the migration: a refused one (say, a unique index over rows that
        // already clash) must tell the operator which, not only the SQL error.
        tx.execute(sqlx::raw_sql(sql)).await.map_err(|e| {
            StoreError::other(format!("migration {} ({}) failed: {e}", m.version, m.name))
        })?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(&checksum)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
    }
    Ok(())
}
