//! Idempotency keys: the first response is stored with its write; a second
//! write under the same key is refused whole.

use zhengka_store::{IdempotentResponse, Store, Write};

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
            s.idempotent_response("user-admin", "key-1").await.unwrap(),
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
            s.idempotent_response("user-admin", "key-1").await.unwrap(),
            response
        );
        assert_eq!(
            s.idempotent_response("user-other", "key-1").await.unwrap(),
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
            s.idempotent_response("user-admin", "key-1").await.unwrap(),
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
