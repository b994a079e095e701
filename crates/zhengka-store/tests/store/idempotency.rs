//! Idempotency keys: the first response is stored with its write; a second
//! write under the same key is refused whole.

use chrono::Duration;
use zhengka_store::prelude::*;
use zhengka_store::{IDEMPOTENCY_TTL_HOURS, IdempotentResponse, Store, StoreError, Write};

use crate::backends::for_each_backend;
use crate::fixtures::{application, assert_conflict, assert_not_found, at, employer, write};

fn keyed(w: Write, key: &str, body: &str) -> Write {
    Write {
        idempotency: Some(IdempotentResponse {
            user_id: "user-admin".to_owned(),
            key: key.to_owned(),
            request_hash: format!("sha256-of-{body}"),
            status: 201,
            body: body.to_owned(),
        }),
        ..w
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_write_stores_its_response_and_a_replay_writes_nothing() {
    for_each_backend(|db| async move {
        let s = &db.store;
        assert_eq!(
            s.idempotent_response("user-admin", "key-1", at(0))
                .await
                .unwrap(),
            None
        );

        let e = employer(1, "440100");
        let w = keyed(
            write("employer.create", "employer", &e.id),
            "key-1",
            r#"{"id":"emp-001"}"#,
        );
        let response = w.idempotency.clone();
        s.insert_employer(&e, w).await.unwrap();
        assert_eq!(
            s.idempotent_response("user-admin", "key-1", at(0))
                .await
                .unwrap(),
            response
        );
        assert_eq!(
            s.idempotent_response("user-other", "key-1", at(0))
                .await
                .unwrap(),
            None,
            "keys are per user"
        );

        // The same key again, for another employer: refused, and nothing of it stays.
        let events = db.count("audit_events").await;
        let twin = employer(2, "440100");
        let w = keyed(
            write("employer.create", "employer", &twin.id),
            "key-1",
            r#"{"id":"emp-002"}"#,
        );
        assert_conflict(
            s.insert_employer(&twin, w).await,
            "employer under a used key",
        );
        assert_not_found(s.get_employer(&twin.id).await, "half-written employer");
        assert_eq!(
            db.count("audit_events").await,
            events,
            "half-written audit event"
        );
        assert_eq!(
            s.idempotent_response("user-admin", "key-1", at(0))
                .await
                .unwrap(),
            response,
            "first response kept"
        );

        // The same for an application.
        let a = application("app-1", &e, at(0));
        let w = keyed(
            write("application.create", "application", "app-1"),
            "key-2",
            "{}",
        );
        s.insert_application(&a, w).await.unwrap();
        let b = application("app-2", &e, at(1));
        let w = keyed(
            write("application.create", "application", "app-2"),
            "key-2",
            "{}",
        );
        assert_conflict(
            s.insert_application(&b, w).await,
            "application under a used key",
        );
        assert_not_found(s.get_application("app-2").await, "half-written application");

        // The chain has no gap where the refused writes were.
        let e3 = employer(3, "440100");
        s.insert_employer(&e3, write("employer.create", "employer", &e3.id))
            .await
            .unwrap();
        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!(report.broken_at, None);
        assert_eq!(report.events, 3, "three writes succeeded");
        assert_eq!(db.count("idempotency_keys").await, 2);
    })
    .await;
}

/// A keyed employer insert made at `seconds` on the story clock.
fn keyed_at(n: u32, key: &str, seconds: i64) -> (zhengka_domain::employer::Employer, Write) {
    let e = employer(n, "440100");
    let mut w = keyed(
        write("employer.create", "employer", &e.id),
        key,
        &format!(r#"{{"id":"{}"}}"#, e.id),
    );
    w.audit.at = at(seconds);
    (e, w)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_expire_after_a_day_and_the_sweep_deletes_them() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let ttl = Duration::hours(IDEMPOTENCY_TTL_HOURS);
        let (e1, w1) = keyed_at(1, "key-1", 0);
        let first = w1.idempotency.clone();
        s.insert_employer(&e1, w1).await.unwrap();
        let (e2, w2) = keyed_at(2, "key-2", 3600);
        s.insert_employer(&e2, w2).await.unwrap();

        let get = |key: &'static str, now| async move {
            s.idempotent_response("user-admin", key, now).await.unwrap()
        };
        assert_eq!(
            get("key-1", at(0) + ttl - Duration::seconds(1)).await,
            first
        );
        assert_eq!(get("key-1", at(0) + ttl).await, None, "expired");

        // Swept at the first record's end: the second one stays.
        assert_eq!(s.purge_expired_idempotency(at(0) + ttl).await.unwrap(), 1);
        assert_eq!(db.count("idempotency_keys").await, 1);
        assert!(get("key-2", at(0) + ttl).await.is_some());
        assert_eq!(s.purge_expired_idempotency(at(0) + ttl).await.unwrap(), 0);

        // An expired record not yet swept does not block its key.
        let later = 3600 + ttl.num_seconds();
        let (e3, w3) = keyed_at(3, "key-2", later);
        let third = w3.idempotency.clone();
        s.insert_employer(&e3, w3).await.unwrap();
        assert_eq!(get("key-2", at(later)).await, third);
        assert_eq!(db.count("idempotency_keys").await, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_response_is_sealed_to_its_row() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        let w = keyed(
            write("application.create", "application", "app-1"),
            "key-1",
            r#"{"passport_number":"X98765432","name":"ZORYA QUILLFEATHER"}"#,
        );
        s.insert_employer(&e, w).await.unwrap();

        let raw = db.raw().await;
        let stored: Vec<u8> =
            sqlx::query_scalar("SELECT response_enc FROM idempotency_keys WHERE idem_key = $1")
                .bind("key-1")
                .fetch_one(&raw)
                .await
                .unwrap();
        for clear in [&b"X98765432"[..], b"QUILLFEATHER", b"sha256-of"] {
            assert!(!stored.windows(clear.len()).any(|w| w == clear));
        }
        // Moved to another key, the ciphertext no longer opens: an error, not
        // someone else's response.
        sqlx::query("UPDATE idempotency_keys SET idem_key = $1 WHERE idem_key = $2")
            .bind("key-2")
            .bind("key-1")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let moved = s.idempotent_response("user-admin", "key-2", at(0)).await;
        assert!(matches!(moved, Err(StoreError::Other(_))), "{moved:?}");
    })
    .await;
}
