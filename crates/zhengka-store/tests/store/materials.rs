//! Materials: bytes sealed at rest, listed without them, read back whole.

use zhengka_store::prelude::*;
use zhengka_store::{AuditFilter, Material, Store};

use crate::backends::for_each_backend;
use crate::fixtures::{application, assert_conflict, assert_not_found, at, employer, write};

fn material(id: &str, application_id: &str, data: &[u8], seconds: i64) -> Material {
    Material {
        id: id.to_owned(),
        application_id: application_id.to_owned(),
        kind: "passport_copy".to_owned(),
        file_name: "passport.pdf".to_owned(),
        content_type: "application/pdf".to_owned(),
        size_bytes: i64::try_from(data.len()).unwrap(),
        sha256: "00".repeat(32),
        created_at: at(seconds),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn materials_round_trip_encrypted_and_audited() {
    for_each_backend(|db| async move {
        let e = employer(1, "440100");
        db.store
            .insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        let a = application("app-1", &e, at(1));
        db.store
            .insert_application(&a, write("application.create", "application", &a.id))
            .await
            .unwrap();
        let secret = b"%PDF-1.7 SECRET-PASSPORT-PAGE".repeat(100);
        let first = material("m-1", &a.id, &secret, 10);
        let second = material("m-2", &a.id, b"%PDF-1.4 two", 20);
        for (m, data) in [(&second, &b"%PDF-1.4 two"[..]), (&first, &secret[..])] {
            db.store
                .insert_material(
                    m,
                    data,
                    a.version,
                    write("material.uploaded", "material", &m.id),
                )
                .await
                .unwrap();
        }

        let listed = db.store.list_materials(&a.id).await.unwrap();
        assert_eq!(listed, vec![first.clone(), second.clone()], "oldest first");
        assert!(db.store.list_materials("app-x").await.unwrap().is_empty());
        let (meta, data) = db.store.material_data("m-1").await.unwrap();
        assert_eq!((meta, data), (first.clone(), secret.clone()));
        assert_not_found(db.store.material_data("m-x").await, "unknown material");

        // At rest the bytes are ciphertext.
        let raw = db.raw().await;
        let stored: Vec<u8> = sqlx::query_scalar("SELECT data_enc FROM materials WHERE id = $1")
            .bind("m-1")
            .fetch_one(&raw)
            .await
            .unwrap();
        raw.close().await;
        assert!(!stored.windows(6).any(|w| w == b"SECRET"));

        // A size that does not match the bytes is refused, and nothing is written.
        let before = db.count("audit_events").await;
        let mut wrong = material("m-3", &a.id, b"%PDF-", 30);
        wrong.size_bytes = 99;
        assert!(
            db.store
                .insert_material(
                    &wrong,
                    b"%PDF-",
                    a.version,
                    write("material.uploaded", "material", "m-3")
                )
                .await
                .is_err()
        );
        assert_eq!(db.count("audit_events").await, before);
        // The application changed since the caller checked it (it was
        // submitted, say): refused, nothing written.
        let late = material("m-5", &a.id, b"%PDF-", 50);
        let r = db
            .store
            .insert_material(
                &late,
                b"%PDF-",
                a.version - 1,
                write("material.uploaded", "material", "m-5"),
            )
            .await;
        assert_conflict(r, "a stale application version");
        assert_eq!(db.count("audit_events").await, before);
        // An unknown application is refused.
        let orphan = material("m-4", "app-x", b"%PDF-", 40);
        assert!(
            db.store
                .insert_material(
                    &orphan,
                    b"%PDF-",
                    1,
                    write("material.uploaded", "material", "m-4")
                )
                .await
                .is_err()
        );
        assert_eq!(db.count("materials").await, 2);
        let audit = db
            .store
            .audit_events(&AuditFilter {
                action: Some("material.uploaded".into()),
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(audit.len(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_name_is_sealed_at_rest_and_read_back() {
    for_each_backend(|db| async move {
        let e = employer(1, "440100");
        db.store
            .insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        let a = application("app-1", &e, at(1));
        db.store
            .insert_application(&a, write("application.create", "application", &a.id))
            .await
            .unwrap();
        let mut m = material("m-1", &a.id, b"%PDF-1.7", 10);
        m.file_name = "passport X27182818.pdf".to_owned();
        db.store
            .insert_material(
                &m,
                b"%PDF-1.7",
                a.version,
                write("material.uploaded", "material", "m-1"),
            )
            .await
            .unwrap();
        assert_eq!(
            db.store.list_materials(&a.id).await.unwrap(),
            vec![m.clone()]
        );
        assert_eq!(db.store.material_data("m-1").await.unwrap().0, m);

        let raw = db.raw().await;
        let sealed: Vec<u8> =
            sqlx::query_scalar("SELECT file_name_enc FROM materials WHERE id = $1")
                .bind("m-1")
                .fetch_one(&raw)
                .await
                .unwrap();
        let clear_column = sqlx::query("SELECT file_name FROM materials")
            .fetch_all(&raw)
            .await;
        raw.close().await;
        assert!(!sealed.windows(9).any(|w| w == b"X27182818"));
        assert!(clear_column.is_err(), "the clear column is gone");
    })
    .await;
}
