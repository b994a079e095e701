//! `export` from one backend, `import` into another: every row, readable with
//! the same store key, and the audit chain still verifies.

use zhengka_domain::employer::Role;
use zhengka_store::prelude::*;
use zhengka_store::testing::{self, TestDatabase};
use zhengka_store::{Material, SqlStore, Store, Vault};

use crate::fixtures::*;

async fn open(db: &TestDatabase, key: &[u8]) -> SqlStore {
    SqlStore::connect(&db.url, Vault::from_key_material(key).unwrap())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_to_postgres_and_back_keeps_everything() {
    let key = Vault::generate_key_material();
    let source_db = testing::sqlite();
    let source = open(&source_db, &key).await;
    let e = employer(1, "440100");
    source
        .insert_employer(&e, write("employer.created", "employer", &e.id))
        .await
        .unwrap();
    let u = user("u1", "hr@one", Role::EmployerAgent, Some(&e.id));
    source
        .insert_user(&u, "$argon2id$hash", write("user.created", "user", "u1"))
        .await
        .unwrap();
    let a = application("a1", &e, at(0));
    source
        .insert_application(&a, write("application.created", "application", "a1"))
        .await
        .unwrap();
    let (approved, mut permit) = approve(&a, 7);
    permit.status_index = Some(4242);
    source
        .update_application(
            &approved,
            Some(&permit),
            write("application.decided", "application", "a1"),
        )
        .await
        .unwrap();

    let m = material("m1", "a1");
    source
        .insert_material(
            &m,
            b"%PDF-1.7",
            approved.version,
            write("material.uploaded", "material", "m1"),
        )
        .await
        .unwrap();

    let mut dump = vec![];
    let exported = source.export(&mut dump).await.unwrap();
    assert_eq!(
        exported.rows,
        1 + 1 + 1 + 1 + 1 + 1 + 5,
        "employer, user, permit, status entry, application, material, 5 events"
    );
    assert!(
        !dump.windows(9).any(|w| w == b"X16180339"),
        "a file name in clear"
    );

    // Into PostgreSQL when configured, another SQLite file otherwise.
    let target_db = match testing::postgres().await {
        Some(pg) => pg,
        None => testing::sqlite(),
    };
    let target = open(&target_db, &key).await;
    let mut broken = dump.clone();
    broken.extend_from_slice(b"{\"table\": \"nowhere\", \"row\": {}}\n");
    assert!(target.import(broken.as_slice()).await.is_err());
    assert_eq!(
        target.count_users().await.unwrap(),
        0,
        "a failed import leaves nothing"
    );
    let imported = target.import(dump.as_slice()).await.unwrap();
    assert_eq!(imported.rows, exported.rows);
    assert_eq!(target.get_employer(&e.id).await.unwrap(), e);
    assert_eq!(target.get_application("a1").await.unwrap(), approved);
    let mut stored = permit.clone();
    stored.version = 1;
    assert_eq!(
        target.get_permit(&permit.permit_number).await.unwrap(),
        stored
    );
    assert_eq!(
        target.status_entries().await.unwrap(),
        source.status_entries().await.unwrap()
    );
    assert_eq!(target.user_by_username("hr@one").await.unwrap().user, u);
    assert_eq!(target.list_materials("a1").await.unwrap(), vec![m.clone()]);
    let chain = target.verify_audit_chain().await.unwrap();
    assert_eq!((chain.events, chain.broken_at), (5, None));
    // The chain goes on from where the source left it.
    target
        .insert_employer(
            &employer(2, "440100"),
            write("employer.created", "employer", "e2"),
        )
        .await
        .unwrap();
    assert_eq!(target.verify_audit_chain().await.unwrap().broken_at, None);

    // An import never lands on top of data.
    let again = target.import(dump.as_slice()).await;
    assert!(matches!(
        again,
        Err(zhengka_store::StoreError::Conflict { .. })
    ));
}

fn material(id: &str, application_id: &str) -> Material {
    Material {
        id: id.to_owned(),
        application_id: application_id.to_owned(),
        kind: "passport_copy".to_owned(),
        file_name: "passport X16180339.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        size_bytes: 8,
        sha256: "00".repeat(32),
        created_at: at(5),
    }
}

/// An export written before file names were sealed (version 1) still loads:
/// its clear file names are sealed on the way in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_export_is_imported_with_its_file_names_sealed() {
    let key = Vault::generate_key_material();
    let source_db = testing::sqlite();
    let source = open(&source_db, &key).await;
    let e = employer(1, "440100");
    source
        .insert_employer(&e, write("employer.created", "employer", &e.id))
        .await
        .unwrap();
    let a = application("a1", &e, at(0));
    source
        .insert_application(&a, write("application.created", "application", "a1"))
        .await
        .unwrap();
    let m = material("m1", "a1");
    source
        .insert_material(
            &m,
            b"%PDF-1.7",
            a.version,
            write("material.uploaded", "material", "m1"),
        )
        .await
        .unwrap();
    let mut dump = vec![];
    source.export(&mut dump).await.unwrap();

    // The same rows as release 4 exported them.
    let v1: Vec<String> = String::from_utf8(dump)
        .unwrap()
        .lines()
        .map(|line| {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            if v.get("zhengka_export").is_some() {
                v["zhengka_export"] = 1.into();
            } else if v["table"] == "materials" {
                let row = v["row"].as_object_mut().unwrap();
                row.remove("file_name_enc");
                row.insert("file_name".into(), m.file_name.clone().into());
            }
            v.to_string()
        })
        .collect();
    let target_db = testing::sqlite();
    let target = open(&target_db, &key).await;
    target.import(v1.join("\n").as_bytes()).await.unwrap();
    assert_eq!(target.list_materials("a1").await.unwrap(), vec![m]);
    assert_eq!(target.verify_audit_chain().await.unwrap().broken_at, None);
}

/// An export taken while instances write is one snapshot: every exported
/// employer has its audit event in the export, and no event is there without it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_export_of_a_live_database_is_one_snapshot() {
    crate::backends::for_each_backend(|db| async move {
        let db = std::sync::Arc::new(db);
        for n in 0..100 {
            let e = employer(n, "440100");
            db.store
                .insert_employer(&e, write("employer.created", "employer", &e.id))
                .await
                .unwrap();
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (db, stop) = (db.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 100;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let e = employer(n, "440100");
                    db.store
                        .insert_employer(&e, write("employer.created", "employer", &e.id))
                        .await
                        .unwrap();
                    n += 1;
                }
                n
            })
        };
        let mut counts = vec![];
        for _ in 0..10 {
            // Let the writer get going (and go on) between exports.
            tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            let mut out = Vec::new();
            db.store.export(&mut out).await.unwrap();
            let text = String::from_utf8(out).unwrap();
            let tables: Vec<serde_json::Value> = text
                .lines()
                .skip(1)
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let rows = |t: &str| tables.iter().filter(|v| v["table"] == t).count();
            counts.push((rows("employers"), rows("audit_events")));
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let written = writer.await.unwrap();
        assert!(written > 100, "the writer ran during the exports");
        for (employers, events) in counts {
            assert!(employers >= 100);
            assert_eq!(employers, events, "one snapshot");
        }
    })
    .await;
}
