//! Job leases: one holder at a time, renewed by its holder, taken over once
//! expired, and exactly one winner when instances race for a free job.

use std::sync::Arc;

use chrono::Duration;
use zhengka_store::CoordinationStore;

use crate::backends::for_each_backend;
use crate::fixtures::at;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_has_one_holder_until_it_expires() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let ttl = Duration::seconds(30);
        assert!(
            s.take_lease("sweep", "a", at(0), at(0) + ttl)
                .await
                .unwrap()
        );
        assert!(
            !s.take_lease("sweep", "b", at(10), at(10) + ttl)
                .await
                .unwrap()
        );
        assert!(
            s.take_lease("other", "b", at(10), at(10) + ttl)
                .await
                .unwrap(),
            "per job"
        );
        assert!(
            s.take_lease("sweep", "a", at(20), at(20) + ttl)
                .await
                .unwrap(),
            "renewed"
        );
        // The renewal moved the end: b still waits at 40, takes over at 51.
        assert!(
            !s.take_lease("sweep", "b", at(40), at(40) + ttl)
                .await
                .unwrap()
        );
        assert!(
            s.take_lease("sweep", "b", at(51), at(51) + ttl)
                .await
                .unwrap()
        );
        assert!(
            !s.take_lease("sweep", "a", at(52), at(52) + ttl)
                .await
                .unwrap()
        );
        let leases = s.job_leases().await.unwrap();
        let holders: Vec<_> = leases
            .iter()
            .map(|l| (l.name.as_str(), l.holder.as_str()))
            .collect();
        assert_eq!(holders, [("other", "b"), ("sweep", "b")]);
        assert_eq!(leases[1].expires_at, at(51) + ttl);
        s.release_lease("sweep", "a").await.unwrap();
        assert_eq!(
            s.job_leases().await.unwrap().len(),
            2,
            "only the holder releases"
        );
        s.release_lease("sweep", "b").await.unwrap();
        assert!(
            s.take_lease("sweep", "a", at(53), at(53) + ttl)
                .await
                .unwrap()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_instances_take_a_free_lease_once() {
    for_each_backend(|db| async move {
        let db = Arc::new(db);
        for round in 0..8 {
            // Every round the previous holder's lease has expired.
            let now = at(100 * round);
            let tasks: Vec<_> = (0..16)
                .map(|i| {
                    let db = Arc::clone(&db);
                    tokio::spawn(async move {
                        let me = format!("instance-{i}");
                        db.store
                            .take_lease("dispatch", &me, now, now + Duration::seconds(30))
                            .await
                            .unwrap()
                    })
                })
                .collect();
            let mut won = 0;
            for t in tasks {
                won += usize::from(t.await.unwrap());
            }
            assert_eq!(won, 1, "round {round}");
        }
    })
    .await;
}
