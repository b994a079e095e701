//! Embedded migrations, one set per dialect, applied in order, each in its own
//! transaction and recorded with a checksum so an edited migration is caught.

use sqlx::{Any, AnyPool, Executor, Row, Transaction};

use crate::vault::hex;
use crate::{Backend, StoreError, Vault};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// Work SQL cannot do (it needs the store key), run after the SQL in the
    /// same transaction.
    then: Option<DataStep>,
}

#[derive(Clone, Copy)]
enum DataStep {
    SealMaterialFileNames,
    FillSearchColumns,
}

impl DataStep {
    async fn run(self, tx: &mut Transaction<'_, Any>, vault: &Vault) -> Result<(), StoreError> {
        match self {
            Self::SealMaterialFileNames => {
                crate::permits::materials::seal_clear_file_names(tx, vault).await
            }
            Self::FillSearchColumns => crate::permits::search::fill_columns(tx, vault).await,
        }
    }
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../migrations/postgres/0001_init.sql"),
        then: None,
    },
    Migration {
        version: 2,
        name: "credential_status",
        sqlite: include_str!("../migrations/sqlite/0002_credential_status.sql"),
        postgres: include_str!("../migrations/postgres/0002_credential_status.sql"),
        then: None,
    },
    Migration {
        version: 3,
        name: "totp",
        sqlite: include_str!("../migrations/sqlite/0003_totp.sql"),
        postgres: include_str!("../migrations/postgres/0003_totp.sql"),
        then: None,
    },
    Migration {
        version: 4,
        name: "materials",
        sqlite: include_str!("../migrations/sqlite/0004_materials.sql"),
        postgres: include_str!("../migrations/postgres/0004_materials.sql"),
        then: None,
    },
    Migration {
        version: 5,
        name: "sealed_personal_data",
        sqlite: include_str!("../migrations/sqlite/0005_sealed_personal_data.sql"),
        postgres: include_str!("../migrations/postgres/0005_sealed_personal_data.sql"),
        then: Some(DataStep::SealMaterialFileNames),
    },
    Migration {
        version: 6,
        name: "attempts_and_nonces",
        sqlite: include_str!("../migrations/sqlite/0006_attempts_and_nonces.sql"),
        postgres: include_str!("../migrations/postgres/0006_attempts_and_nonces.sql"),
        then: None,
    },
    Migration {
        version: 7,
        name: "one_active_permit",
        sqlite: include_str!("../migrations/sqlite/0007_one_active_permit.sql"),
        postgres: include_str!("../migrations/postgres/0007_one_active_permit.sql"),
        then: None,
    },
    Migration {
        version: 8,
        name: "cards",
        sqlite: include_str!("../migrations/sqlite/0008_cards.sql"),
        postgres: include_str!("../migrations/postgres/0008_cards.sql"),
        then: None,
    },
    Migration {
        version: 9,
        name: "job_leases",
        sqlite: include_str!("../migrations/sqlite/0009_job_leases.sql"),
        postgres: include_str!("../migrations/postgres/0009_job_leases.sql"),
        then: None,
    },
    Migration {
        version: 10,
        name: "search_and_follow_up",
        sqlite: include_str!("../migrations/sqlite/0010_search_and_follow_up.sql"),
        postgres: include_str!("../migrations/postgres/0010_search_and_follow_up.sql"),
        then: Some(DataStep::FillSearchColumns),
    },
    Migration {
        version: 11,
        name: "ecard",
        sqlite: include_str!("../migrations/sqlite/0011_ecard.sql"),
        postgres: include_str!("../migrations/postgres/0011_ecard.sql"),
        then: None,
    },
    Migration {
        version: 12,
        name: "account_admin",
        sqlite: include_str!("../migrations/sqlite/0012_account_admin.sql"),
        postgres: include_str!("../migrations/postgres/0012_account_admin.sql"),
        then: None,
    },
    Migration {
        version: 14,
        name: "services",
        sqlite: include_str!("../migrations/sqlite/0014_services.sql"),
        postgres: include_str!("../migrations/postgres/0014_services.sql"),
        then: None,
    },
    Migration {
        version: 15,
        name: "relying_parties",
        sqlite: include_str!("../migrations/sqlite/0015_relying_parties.sql"),
        postgres: include_str!("../migrations/postgres/0015_relying_parties.sql"),
        then: None,
    },
    Migration {
        version: 16,
        name: "verification_log",
        sqlite: include_str!("../migrations/sqlite/0016_verification_log.sql"),
        postgres: include_str!("../migrations/postgres/0016_verification_log.sql"),
        then: None,
    },
    Migration {
        version: 17,
        name: "share_codes_and_service_uses",
        sqlite: include_str!("../migrations/sqlite/0017_share_codes_and_service_uses.sql"),
        postgres: include_str!("../migrations/postgres/0017_share_codes_and_service_uses.sql"),
        then: None,
    },
    Migration {
        version: 18,
        name: "webhooks",
        sqlite: include_str!("../migrations/sqlite/0018_webhooks.sql"),
        postgres: include_str!("../migrations/postgres/0018_webhooks.sql"),
        then: None,
    },
    Migration {
        version: 19,
        name: "gates",
        sqlite: include_str!("../migrations/sqlite/0019_gates.sql"),
        postgres: include_str!("../migrations/postgres/0019_gates.sql"),
        then: None,
    },
    Migration {
        version: 20,
        name: "federation",
        sqlite: include_str!("../migrations/sqlite/0020_federation.sql"),
        postgres: include_str!("../migrations/postgres/0020_federation.sql"),
        then: None,
    },
    Migration {
        version: 21,
        name: "scale",
        sqlite: include_str!("../migrations/sqlite/0021_scale.sql"),
        postgres: include_str!("../migrations/postgres/0021_scale.sql"),
        then: None,
    },
    Migration {
        version: 22,
        name: "sweep_cover",
        sqlite: include_str!("../migrations/sqlite/0022_sweep_cover.sql"),
        postgres: include_str!("../migrations/postgres/0022_sweep_cover.sql"),
        then: None,
    },
    Migration {
        version: 23,
        name: "status_head",
        sqlite: include_str!("../migrations/sqlite/0023_status_head.sql"),
        postgres: include_str!("../migrations/postgres/0023_status_head.sql"),
        then: None,
    },
    Migration {
        version: 24,
        name: "status_head_shards",
        sqlite: include_str!("../migrations/sqlite/0024_status_head_shards.sql"),
        postgres: include_str!("../migrations/postgres/0024_status_head_shards.sql"),
        then: None,
    },
];

/// Apply every migration up to `last` (all of them in service; tests of an
/// upgrade stop earlier, fill in old rows, then go on).
pub(crate) async fn run(
    pool: &AnyPool,
    backend: Backend,
    vault: &Vault,
    last: i64,
) -> Result<(), StoreError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (\
         version BIGINT PRIMARY KEY NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL)",
    )
    .execute(pool)
    .await?;
    for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
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
        if let Some(step) = m.then {
            step.run(&mut tx, vault).await?;
        }
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
