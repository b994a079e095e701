//! The audit trail: filtered listing, and a hash chain that shows tampering.

use zhengka_store::prelude::*;
use zhengka_store::{AuditFilter, Store};

use crate::backends::for_each_backend;
use crate::fixtures::{application, at, employer, write};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_are_listed_by_filter_and_chained() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        for i in 0..3 {
            let a = application(&format!("app-{i}"), &e, at(i));
            s.insert_application(&a, write("application.create", "application", &a.id))
                .await
                .unwrap();
        }
        let mut accepted = application("app-1", &e, at(1));
        accepted.version = 2;
        let mut w = write("application.accept", "application", "app-1");
        w.audit.actor = "officer-wang".to_owned();
        s.update_application(&accepted, None, w).await.unwrap();

        let list = |f: AuditFilter| async move {
            s.audit_events(&AuditFilter { limit: 100, ..f })
                .await
                .unwrap()
        };
        let all = list(AuditFilter::default()).await;
        let seqs: Vec<i64> = all.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 4, 5]);
        for pair in all.windows(2) {
            assert_eq!(
                pair[1].prev_hash, pair[0].hash,
                "event {} links to its predecessor",
                pair[1].seq
            );
        }
        assert_eq!(all[0].prev_hash, "0".repeat(64));
        assert_eq!(
            all[0].details,
            serde_json::json!({ "note": "employer.create emp-001" })
        );

        let apps = list(AuditFilter {
            entity_type: Some("application".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(apps.len(), 4);
        let one = list(AuditFilter {
            entity_id: Some("app-1".into()),
            ..Default::default()
        })
        .await;
        let actions: Vec<_> = one.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["application.create", "application.accept"]);
        let by_officer = list(AuditFilter {
            actor: Some("officer-wang".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(by_officer.iter().map(|e| e.seq).collect::<Vec<_>>(), [5]);
        let creates = list(AuditFilter {
            action: Some("application.create".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(creates.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3, 4]);
        let page = s
            .audit_events(&AuditFilter {
                after_seq: 2,
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [3, 4],
            "cursor and limit"
        );

        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!((report.events, report.broken_at), (5, None));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_event_breaks_the_chain_where_it_was_changed() {
    for_each_backend(|db| async move {
        let s = &db.store;
        for n in 1..=4 {
            let e = employer(n, "440100");
            s.insert_employer(&e, write("employer.create", "employer", &e.id))
                .await
                .unwrap();
        }
        assert_eq!(s.verify_audit_chain().await.unwrap().broken_at, None);

        let raw = db.raw().await;
        sqlx::query("UPDATE audit_events SET details = $1 WHERE seq = $2")
            .bind(r#"{"note":"nothing to see"}"#)
            .bind(3_i64)
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;

        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!(
            report.broken_at,
            Some(3),
            "the chain breaks at the edited event"
        );
        assert_eq!(report.events, 2, "the events before it still verify");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_tail_is_reported_as_truncation() {
    for_each_backend(|db| async move {
        let s = &db.store;
        for n in 1..=5 {
            let e = employer(n, "440100");
            s.insert_employer(&e, write("employer.create", "employer", &e.id))
                .await
                .unwrap();
        }
        let intact = s.verify_audit_chain().await.unwrap();
        assert_eq!((intact.events, intact.broken_at), (5, None));
        assert_eq!(intact.reason, None);

        // Every remaining event still links to its predecessor; only the head
        // row remembers that there were five.
        let raw = db.raw().await;
        sqlx::query("DELETE FROM audit_events WHERE seq > $1")
            .bind(3_i64)
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;

        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!(report.events, 3, "the events left still verify");
        assert_eq!(report.broken_at, Some(4), "the first missing event");
        let reason = report.reason.expect("a reason");
        assert!(
            reason.starts_with("truncated: head says seq 5 / hash ")
                && reason.ends_with("last event is seq 3"),
            "{reason}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tail_deleted_with_the_head_seq_rewound_still_fails_on_the_hash() {
    for_each_backend(|db| async move {
        let s = &db.store;
        for n in 1..=3 {
            let e = employer(n, "440100");
            s.insert_employer(&e, write("employer.create", "employer", &e.id))
                .await
                .unwrap();
        }
        // The forger deletes the last event and winds the head's counter back,
        // but cannot know which hash to leave without the event it deleted.
        let raw = db.raw().await;
        sqlx::query("DELETE FROM audit_events WHERE seq = $1")
            .bind(3_i64)
            .execute(&raw)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1 WHERE id = 1")
            .bind(2_i64)
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;

        let report = s.verify_audit_chain().await.unwrap();
        assert_eq!((report.events, report.broken_at), (2, Some(2)));
        let reason = report.reason.expect("a reason");
        assert!(reason.contains("head says seq 2 / hash"), "{reason}");
    })
    .await;
}
