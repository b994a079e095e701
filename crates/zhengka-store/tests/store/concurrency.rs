//! Many writers at once: nothing lost, and the audit chain does not fork.

use std::sync::Arc;
use zhengka_store::prelude::*;

use zhengka_domain::permits::application::ApplicationStatus;
use zhengka_store::{ApplicationFilter, Store};

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
