//! Attempt counters and presentation nonces: atomic under parallel callers,
//! windows that end, and a sweep that forgets what has ended.

use std::sync::Arc;
use zhengka_store::prelude::*;

use chrono::Duration;
use zhengka_store::Store;

use crate::backends::for_each_backend;
use crate::fixtures::{at, write};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_attempts_each_get_their_own_count() {
    for_each_backend(|db| async move {
        let db = Arc::new(db);
        let window = Duration::minutes(15);
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let db = Arc::clone(&db);
                tokio::spawn(async move {
                    db.store
                        .count_attempt("signin:a", window, at(0))
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut counts = vec![];
        for t in tasks {
            let c = t.await.unwrap();
            assert_eq!(c.window_ends, at(0) + window);
            counts.push(c.count);
        }
        counts.sort_unstable();
        assert_eq!(
            counts,
            (1..=40).collect::<Vec<i64>>(),
            "no count is read twice"
        );
        let other = db
            .store
            .count_attempt("signin:b", window, at(0))
            .await
            .unwrap();
        assert_eq!(other.count, 1, "keys are independent");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_ends_and_a_success_clears_it() {
    for_each_backend(|db| async move {
        let (s, window) = (&db.store, Duration::minutes(15));
        for expected in 1..=3 {
            let c = s.count_attempt("k", window, at(60)).await.unwrap();
            assert_eq!(c.count, expected);
        }
        // One second before the end the window still counts; at its end it restarts.
        let late = at(60) + window - Duration::seconds(1);
        assert_eq!(s.count_attempt("k", window, late).await.unwrap().count, 4);
        let next = s.count_attempt("k", window, at(60) + window).await.unwrap();
        assert_eq!((next.count, next.window_ends), (1, at(60) + window * 2));
        s.clear_attempts("k").await.unwrap();
        assert_eq!(s.count_attempt("k", window, at(60)).await.unwrap().count, 1);
        assert_eq!(db.count("attempts").await, 1);
        assert_eq!(s.sweep_expired(at(60) + window * 3).await.unwrap(), 1);
        assert_eq!(db.count("attempts").await, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_nonce_is_accepted_once_per_verifier_until_it_expires() {
    for_each_backend(|db| async move {
        let db = Arc::new(db);
        let expires = at(0) + Duration::seconds(30);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let db = Arc::clone(&db);
                tokio::spawn(async move {
                    let w = write("credential.verified", "permit", "P1");
                    db.store
                        .record_presentation("user:rp-1", b"nonce-01", expires, w)
                        .await
                })
            })
            .collect();
        let mut accepted = 0;
        for t in tasks {
            accepted += usize::from(t.await.unwrap().unwrap());
        }
        assert_eq!(accepted, 1, "one of eight parallel showings verifies");
        let s = &db.store;
        assert_eq!(
            s.verify_audit_chain().await.unwrap().events,
            1,
            "replays write nothing"
        );
        let w = || write("credential.verified", "permit", "P1");
        assert!(
            s.record_presentation("user:rp-2", b"nonce-01", expires, w())
                .await
                .unwrap()
        );
        assert!(
            s.record_presentation("user:rp-1", b"nonce-02", expires, w())
                .await
                .unwrap()
        );
        assert_eq!(db.count("presentation_nonces").await, 3);
        // Once expired, the nonce no longer blocks (its presentation is stale anyway)
        // and the sweep forgets it.
        let mut later = w();
        later.audit.at = expires + Duration::seconds(1);
        assert!(
            s.record_presentation("user:rp-1", b"nonce-01", expires, later)
                .await
                .unwrap()
        );
        assert_eq!(
            s.sweep_expired(expires + Duration::seconds(1))
                .await
                .unwrap(),
            3
        );
        assert_eq!(db.count("presentation_nonces").await, 0);
    })
    .await;
}
