//! The SQLite files hold personal data (encrypted, but still): whoever opens
//! the store, its database, WAL and SHM files are readable by the owner only.

use std::os::unix::fs::PermissionsExt;
use zhengka_store::prelude::*;

use crate::backends::fresh_sqlite;
use crate::fixtures::{employer, write};

fn mode(path: &str) -> u32 {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    meta.permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_files_are_created_owner_only() {
    let (db, cleanup) = fresh_sqlite().await;
    let e = employer(1, "440100");
    db.store
        .insert_employer(&e, write("employer.create", "employer", &e.id))
        .await
        .unwrap();
    let file = db.url.strip_prefix("sqlite://").unwrap().to_owned();
    // While the store is open, the WAL and SHM files exist beside the database.
    let modes: Vec<(String, u32)> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| {
            let path = format!("{file}{suffix}");
            let m = mode(&path);
            (path, m)
        })
        .collect();
    db.store.close().await;
    cleanup.run().await;
    for (path, m) in modes {
        assert_eq!(m, 0o600, "{path} has mode {m:o}");
    }
}
