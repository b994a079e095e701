//! Applications: encrypted round trip, filters, keyset pages, version guard.

use std::collections::BTreeSet;
use zhengka_store::prelude::*;

use zhengka_domain::permits::application::{Application, ApplicationKind, ApplicationStatus};
use zhengka_store::{ApplicationFilter, AuditFilter, Store};

use crate::backends::{TestDb, for_each_backend};
use crate::fixtures::{
    application, approve, assert_conflict, assert_not_found, at, employer, form, write,
};

async fn add_employers(db: &TestDb, employers: &[zhengka_domain::employer::Employer]) {
    for e in employers {
        db.store
            .insert_employer(e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
    }
}

async fn add(db: &TestDb, a: &Application) {
    db.store
        .insert_application(a, write("application.create", "application", &a.id))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_round_trip_and_are_encrypted_at_rest() {
    for_each_backend(|db| async move {
        let e = employer(1, "440100");
        add_employers(&db, std::slice::from_ref(&e)).await;
        let mut a = application("app-1", &e, at(10));
        a.form = form(
            ApplicationKind::NewFromAbroad,
            "Zebulon Quackenbush",
            "X9Q8W7E6R5",
        );
        add(&db, &a).await;

        assert_eq!(db.store.get_application("app-1").await.unwrap(), a);
        assert_not_found(
            db.store.get_application("app-404").await,
            "unknown application",
        );

        let raw = db.raw().await;
        let sealed: Vec<u8> =
            sqlx::query_scalar("SELECT record_enc FROM applications WHERE id = $1")
                .bind("app-1")
                .fetch_one(&raw)
                .await
                .unwrap();
        raw.close().await;
        for secret in ["X9Q8W7E6R5", "ZEBULON", "QUACKENBUSH", "Senior Engineer"] {
            let found = sealed.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{secret} appears in plain text in record_enc");
        }
    })
    .await;
}

fn ids(items: &[Application]) -> Vec<&str> {
    items.iter().map(|a| a.id.as_str()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_are_filtered_by_employer_region_status_and_kind() {
    for_each_backend(|db| async move {
        // Two employers in Guangzhou (one in Tianhe district), one in Hangzhou.
        let gz = employer(1, "440100");
        let tianhe = employer(2, "440106");
        let hz = employer(3, "330106");
        add_employers(&db, &[gz.clone(), tianhe.clone(), hz.clone()]).await;
        use ApplicationKind::{Extension, NewFromAbroad, ShortTerm};
        use ApplicationStatus::{Accepted, Approved, Draft, Submitted};
        let specs = [
            ("a1", &gz, Submitted, NewFromAbroad),
            ("a2", &gz, Draft, Extension),
            ("a3", &tianhe, Accepted, NewFromAbroad),
            ("a4", &hz, Submitted, ShortTerm),
            ("a5", &hz, Approved, Extension),
        ];
        for (i, (id, e, status, kind)) in specs.into_iter().enumerate() {
            let mut a = application(id, e, at(i as i64));
            a.status = status;
            a.form.kind = kind;
            add(&db, &a).await;
        }
        let list = |f: ApplicationFilter| {
            let s = &db.store;
            async move {
                s.list_applications(&ApplicationFilter { limit: 50, ..f })
                    .await
                    .unwrap()
            }
        };

        let all = list(ApplicationFilter::default()).await;
        assert_eq!(
            ids(&all.items),
            ["a5", "a4", "a3", "a2", "a1"],
            "newest first"
        );
        assert!(all.next_cursor.is_none(), "one page holds all");

        let of_gz = list(ApplicationFilter {
            employer_id: Some(gz.id.clone()),
            ..Default::default()
        });
        assert_eq!(ids(&of_gz.await.items), ["a2", "a1"]);

        let guangzhou = list(ApplicationFilter {
            region_prefix: Some("4401".into()),
            ..Default::default()
        });
        assert_eq!(ids(&guangzhou.await.items), ["a3", "a2", "a1"]);
        let zhejiang = list(ApplicationFilter {
            region_prefix: Some("33".into()),
            ..Default::default()
        });
        assert_eq!(ids(&zhejiang.await.items), ["a5", "a4"]);

        let statuses = vec![ApplicationStatus::Submitted, ApplicationStatus::Accepted];
        let under_review = list(ApplicationFilter {
            statuses,
            ..Default::default()
        });
        assert_eq!(ids(&under_review.await.items), ["a4", "a3", "a1"]);

        let kind = Some(ApplicationKind::Extension);
        let extensions = list(ApplicationFilter {
            kind,
            ..Default::default()
        });
        assert_eq!(ids(&extensions.await.items), ["a5", "a2"]);

        let combined = list(ApplicationFilter {
            region_prefix: Some("44".into()),
            statuses: vec![ApplicationStatus::Submitted],
            kind: Some(ApplicationKind::NewFromAbroad),
            ..Default::default()
        });
        assert_eq!(ids(&combined.await.items), ["a1"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyset_pages_visit_every_application_once() {
    for_each_backend(|db| async move {
        let e = employer(1, "440100");
        add_employers(&db, std::slice::from_ref(&e)).await;
        // Pairs share a creation time, so the id must break the tie.
        for i in 0..7 {
            add(&db, &application(&format!("app-{i}"), &e, at(i / 2))).await;
        }
        let mut seen = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let f = ApplicationFilter {
                after: after.take(),
                limit: 3,
                ..Default::default()
            };
            let page = db.store.list_applications(&f).await.unwrap();
            pages += 1;
            assert!(page.items.len() <= 3, "page {pages} is over the limit");
            seen.extend(page.items.iter().map(|a| a.id.clone()));
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
            assert!(pages < 10, "pagination does not end");
        }
        assert_eq!(pages, 3, "7 items in pages of 3");
        let unique: BTreeSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "an item came twice: {seen:?}");
        assert_eq!(unique.len(), 7, "an item is missing: {seen:?}");
        let expected = [
            "app-6", "app-5", "app-4", "app-3", "app-2", "app-1", "app-0",
        ];
        assert_eq!(seen, expected, "newest first, id breaks ties");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_update_is_refused_and_writes_nothing() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        add_employers(&db, std::slice::from_ref(&e)).await;
        let a = application("app-1", &e, at(0));
        add(&db, &a).await;

        let mut accepted = a.clone();
        accepted.status = ApplicationStatus::Accepted;
        accepted.version = 2;
        s.update_application(
            &accepted,
            None,
            write("application.accept", "application", "app-1"),
        )
        .await
        .unwrap();
        assert_eq!(s.get_application("app-1").await.unwrap(), accepted);

        // Someone else still holds version 1 and approves it, with a new permit.
        let (stale, permit) = approve(&a, 42);
        assert_eq!(stale.version, 2, "the stale writer's version");
        let events = db.count("audit_events").await;
        let r = s
            .update_application(
                &stale,
                Some(&permit),
                write("application.approve", "application", "app-1"),
            )
            .await;
        assert_conflict(r, "stale application version");
        assert_eq!(
            s.get_application("app-1").await.unwrap(),
            accepted,
            "unchanged"
        );
        assert_eq!(db.count("audit_events").await, events, "no audit event");
        assert_not_found(s.get_permit(&permit.permit_number).await, "no permit");
        let approvals = AuditFilter {
            action: Some("application.approve".into()),
            limit: 10,
            ..Default::default()
        };
        assert!(s.audit_events(&approvals).await.unwrap().is_empty());
        assert_eq!(s.verify_audit_chain().await.unwrap().broken_at, None);
    })
    .await;
}
