//! Upgrading a database written by an earlier release: migration 5 seals the
//! material file names that were in clear and drops the clear idempotency
//! records, and (SQLite) leaves no trace of them in the files.

use zhengka_store::prelude::*;
use zhengka_store::{SqlStore, Vault};

use crate::backends::{Cleanup, postgres_admin_url, postgres_url, sqlite_url};
use crate::fixtures::{application, at, employer, write};

const PASSPORT: &str = "X31415926";

/// Rows as release 4 wrote them, straight into its schema.
async fn fill_as_release_4(store: &SqlStore, url: &str, vault: &Vault) {
    let e = employer(1, "440100");
    store
        .insert_employer(&e, write("employer.create", "employer", &e.id))
        .await
        .unwrap();
    let a = application("app-1", &e, at(1));
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    let sealed = vault
        .seal("applications:app-1", &serde_json::to_vec(&a).unwrap())
        .unwrap();
    sqlx::query(
        "INSERT INTO applications (id, employer_id, region_code, kind, status, passport_hmac, \
         record_enc, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind("app-1")
    .bind(&e.id)
    .bind(e.region_code.as_str())
    .bind(a.form.kind.as_str())
    .bind(a.status.as_str())
    .bind(vault.index("passport", "E1234567"))
    .bind(sealed)
    .bind(a.version)
    .bind("2026-11-24T09:00:00.000000Z")
    .execute(&raw)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO materials (id, application_id, kind, file_name, content_type, size_bytes, \
         sha256, data_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind("m-1")
    .bind("app-1")
    .bind("passport_copy")
    .bind(format!("passport {PASSPORT}.pdf"))
    .bind("application/pdf")
    .bind(8_i64)
    .bind("00".repeat(32))
    .bind(vault.seal("materials:m-1", b"%PDF-1.7").unwrap())
    .bind("2026-11-24T09:00:10.000000Z")
    .execute(&raw)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO idempotency_keys (user_id, idem_key, request_hash, status, response, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind("user-admin")
    .bind("key-1")
    .bind("00".repeat(32))
    .bind(201_i64)
    .bind(format!(r#"{{"passport_number":"{PASSPORT}"}}"#))
    .bind("2026-11-24T09:00:10.000000Z")
    .execute(&raw)
    .await
    .unwrap();
    raw.close().await;
}

async fn upgrade_story(url: &str) {
    let key = Vault::generate_key_material();
    let vault = || Vault::from_key_material(&key).unwrap();
    let store = SqlStore::connect_only(url, vault()).await.unwrap();
    store.migrate_up_to(4).await.unwrap();
    fill_as_release_4(&store, url, &vault()).await;

    store.migrate().await.unwrap();

    // Migration 10 filled the keyed hash of the name: the row is found by it.
    let by_name = zhengka_store::ApplicationFilter {
        search: Some("ada  example".into()),
        limit: 10,
        ..Default::default()
    };
    let found = store.list_applications(&by_name).await.unwrap();
    assert_eq!(found.items.len(), 1, "found by the name's keyed hash");

    let listed = store.list_materials("app-1").await.unwrap();
    assert_eq!(listed[0].file_name, format!("passport {PASSPORT}.pdf"));
    assert_eq!(store.material_data("m-1").await.unwrap().1, b"%PDF-1.7");
    let raw = sqlx::AnyPool::connect(url).await.unwrap();
    let idempotency: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(&raw)
        .await
        .unwrap();
    assert_eq!(idempotency, 0, "clear replay records are dropped");
    assert!(
        sqlx::query("SELECT file_name FROM materials")
            .fetch_all(&raw)
            .await
            .is_err(),
        "the clear column is gone"
    );
    if let Some(file) = url.strip_prefix("sqlite://") {
        // Deleted rows are overwritten (secure_delete), so once the WAL is
        // folded in, neither file holds the old clear values.
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&raw)
            .await
            .unwrap();
        for f in [file.to_owned(), format!("{file}-wal")] {
            let bytes = std::fs::read(&f).unwrap_or_default();
            let found = bytes
                .windows(PASSPORT.len())
                .any(|w| w == PASSPORT.as_bytes());
            assert!(!found, "{f} still holds {PASSPORT}");
        }
    }
    raw.close().await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_5_seals_file_names_and_drops_clear_replay_records() {
    sqlx::any::install_default_drivers();
    let mut runs: Vec<(String, Cleanup)> = vec![sqlite_url()];
    if let Some(admin) = postgres_admin_url() {
        runs.push(postgres_url(&admin).await);
    }
    for (url, cleanup) in runs {
        let outcome = tokio::spawn(async move { upgrade_story(&url).await }).await;
        cleanup.run().await;
        if let Err(e) = outcome {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}
