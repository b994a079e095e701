//! `export` from one backend, `import` into another: every row, readable with
//! the same store key, and the audit chain still verifies.

use zhengka_domain::employer::Role;
use zhengka_store::testing::{self, TestDatabase};
use zhengka_store::{SqlStore, Store, Vault};

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

    let mut dump = vec![];
    let exported = source.export(&mut dump).await.unwrap();
    assert_eq!(
        exported.rows,
        1 + 1 + 1 + 1 + 1 + 4,
        "employer, user, permit, status entry, application, 4 events"
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
    let chain = target.verify_audit_chain().await.unwrap();
    assert_eq!((chain.events, chain.broken_at), (4, None));
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
