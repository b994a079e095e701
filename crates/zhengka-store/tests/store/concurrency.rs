//! Many writers at once: nothing lost, and the audit chain does not fork.

use std::sync::Arc;
use zhengka_store::prelude::*;

use zhengka_domain::permits::application::ApplicationStatus;
use zhengka_store::{ApplicationFilter, AuditFilter, Store, StoreError};

use crate::backends::for_each_backend;
use crate::fixtures::{application, at, employer, write};

const TASKS: u32 = 8;
const PER_TASK: u32 = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_writers_lose_nothing_and_keep_the_chain() {
    for_each_backend(|db| async move {
        let db = Arc::new(db);
        for t in 0..TASKS {
            let e = employer(t, "440100");
            db.store
                .insert_employer(&e, write("employer.create", "employer", &e.id))
                .await
                .unwrap();
        }

        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let db = Arc::clone(&db);
            tasks.push(tokio::spawn(async move {
                let e = employer(t, "440100");
                for i in 0..PER_TASK {
                    let id = format!("app-{t}-{i:02}");
                    let a = application(&id, &e, at(i64::from(i)));
                    let s = &db.store;
                    s.insert_application(&a, write("application.create", "application", &id))
                        .await
                        .unwrap_or_else(|err| panic!("insert {id}: {err}"));
                    let mut accepted = a.clone();
                    accepted.status = ApplicationStatus::Accepted;
                    accepted.version = 2;
                    s.update_application(
                        &accepted,
                        None,
                        write("application.accept", "application", &id),
                    )
                    .await
                    .unwrap_or_else(|err| panic!("update {id}: {err}"));
                }
            }));
        }
        for task in tasks {
            task.await.expect("a writer task panicked");
        }

        let all = ApplicationFilter {
            limit: 1000,
            ..Default::default()
        };
        let page = db.store.list_applications(&all).await.unwrap();
        assert_eq!(page.items.len() as u32, TASKS * PER_TASK);
        assert!(
            page.items
                .iter()
                .all(|a| a.status == ApplicationStatus::Accepted && a.version == 2)
        );

        let writes = i64::from(TASKS + TASKS * PER_TASK * 2);
        let report = db.store.verify_audit_chain().await.unwrap();
        assert_eq!(report.broken_at, None, "the chain forked or has a gap");
        assert_eq!(report.events, writes, "one event per write");
    })
    .await;
}

/// Writes that fail, and writes dropped half-way, among writes that succeed
/// at the same moment (on SQLite they share one group commit): a failed write
/// leaves nothing, a dropped one is there whole or not at all, each successful
/// one is all there, and the chain holds exactly the writes that are stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn failed_and_dropped_writes_leave_nothing_and_spoil_no_other_write() {
    const WRITERS: u32 = 24;
    for_each_backend(|db| async move {
        let db = Arc::new(db);
        let e = employer(0, "440100");
        db.store
            .insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        // Half the ids are taken already, so their second insert must fail.
        for t in (0..WRITERS).step_by(2) {
            let id = format!("app-{t:02}");
            let a = application(&id, &e, at(0));
            db.store
                .insert_application(&a, write("application.create", "application", &id))
                .await
                .unwrap();
        }
        let mut tasks = Vec::new();
        for t in 0..WRITERS {
            let db = Arc::clone(&db);
            let e = e.clone();
            tasks.push(tokio::spawn(async move {
                let id = format!("app-{t:02}");
                let a = application(&id, &e, at(1));
                // Details outside ASCII: PostgreSQL hashes part of the event.
                let mut w = write("application.create", "application", &id);
                w.audit.details = serde_json::json!({ "note": "广州 — 提交" });
                let insert = db.store.insert_application(&a, w);
                if t % 6 == 1 {
                    // Dropped at the timer's next tick: mostly before it was
                    // queued for its batch's commit, sometimes after.
                    let dropped = tokio::time::timeout(std::time::Duration::ZERO, insert).await;
                    return dropped.ok().map(|r| r.is_ok());
                }
                Some(insert.await.is_ok())
            }));
        }
        let events = |id: String| {
            let f = AuditFilter {
                entity_id: Some(id),
                limit: 10,
                ..AuditFilter::default()
            };
            let db = Arc::clone(&db);
            async move { db.store.audit_events(&f).await.unwrap().len() }
        };
        let mut committed = 0;
        let mut dropped = Vec::new();
        for (t, task) in tasks.into_iter().enumerate() {
            let id = format!("app-{t:02}");
            match task.await.expect("a writer task panicked") {
                Some(ok) => {
                    assert_eq!(ok, t % 2 == 1, "writer {t}: only new ids are written");
                    committed += i64::from(ok);
                    assert_eq!(events(id).await, 1, "writer {t}: one event for its id");
                }
                None => dropped.push(id),
            }
        }
        // A dropped write may sit in a batch whose end is still running (it
        // was queued before it was dropped): a write after it, acknowledged,
        // comes after that end (SQLite: the one connection comes back only
        // once it committed; PostgreSQL: its end takes the audit head after).
        let id = "app-after";
        db.store
            .insert_application(
                &application(id, &e, at(2)),
                write("application.create", "application", id),
            )
            .await
            .unwrap();
        for id in dropped {
            // Dropped: like an unanswered write, either state, but whole.
            let there = db.store.get_application(&id).await.is_ok();
            committed += i64::from(there);
            assert_eq!(events(id.clone()).await, usize::from(there), "dropped {id}");
        }
        let all = ApplicationFilter {
            limit: 1000,
            ..Default::default()
        };
        let stored = db.store.list_applications(&all).await.unwrap().items.len() as i64;
        let first = i64::from(WRITERS / 2);
        assert_eq!(
            stored,
            first + committed + 1,
            "every committed write, nothing else"
        );
        let report = db.store.verify_audit_chain().await.unwrap();
        assert_eq!(report.broken_at, None, "{:?}", report.reason);
        assert_eq!(
            report.events,
            1 + first + committed + 1,
            "one event per committed write"
        );
    })
    .await;
}

/// Twins (one user, one Idempotency-Key, at once), many pairs together: one
/// of each pair commits, the other is refused as in use, never as a deadlock
/// victim (on PostgreSQL twins may sit in two write lanes, where two pairs
/// crossing them deadlocked while a twin waited for the other's row).
#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn twins_with_one_key_commit_once_each() {
    const PAIRS: u32 = 24;
    const ROUNDS: u32 = 4;
    for_each_backend(|mut db| async move {
        db.store = db.store.with_write_lanes(2);
        let db = Arc::new(db);
        let e = employer(0, "440100");
        db.store
            .insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        for round in 0..ROUNDS {
            let mut tasks = Vec::new();
            for pair in 0..PAIRS {
                for twin in 0..2 {
                    let db = Arc::clone(&db);
                    let e = e.clone();
                    tasks.push(tokio::spawn(async move {
                        let id = format!("app-{round}-{pair:02}-{twin}");
                        let mut w = write("application.create", "application", &id);
                        w.idempotency = Some(zhengka_store::IdempotentResponse {
                            user_id: "user-employer".into(),
                            key: format!("key-{round}-{pair}"),
                            request_hash: "same".into(),
                            status: 201,
                            body: "{}".into(),
                        });
                        let done = db
                            .store
                            .insert_application(&application(&id, &e, at(1)), w)
                            .await;
                        (pair, done)
                    }));
                }
            }
            let mut committed = vec![0; PAIRS as usize];
            for task in tasks {
                let (pair, done) = task.await.unwrap();
                match done {
                    Ok(()) => committed[pair as usize] += 1,
                    Err(StoreError::Conflict { what }) => assert_eq!(what, "idempotency_key"),
                    Err(e) => panic!("pair {pair}: {e:?}"),
                }
            }
            assert!(committed.iter().all(|&n| n == 1), "{committed:?}");
        }
        let report = db.store.verify_audit_chain().await.unwrap();
        assert_eq!(report.broken_at, None);
        assert_eq!(report.events, 1 + i64::from(ROUNDS * PAIRS));
    })
    .await;
}
