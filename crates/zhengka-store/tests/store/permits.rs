//! Permits: created by an approval in the same transaction, found by number and
//! by passport, guarded by their version.

use zhengka_domain::permits::permit::{Permit, PermitStatus};
use zhengka_store::prelude::*;
use zhengka_store::{ONE_ACTIVE_PERMIT, Store, StoreError};

use crate::backends::for_each_backend;
use crate::fixtures::{
    application, approve, assert_conflict, assert_not_found, at, employer, region, write,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_creates_the_permit_in_the_same_write() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        let a = application("app-1", &e, at(0));
        s.insert_application(&a, write("application.create", "application", "app-1"))
            .await
            .unwrap();

        let (approved, permit) = approve(&a, 42);
        assert_eq!(permit.version, 0, "a new permit");
        s.update_application(
            &approved,
            Some(&permit),
            write("application.approve", "application", "app-1"),
        )
        .await
        .unwrap();

        let stored = s.get_permit(&permit.permit_number).await.unwrap();
        assert_eq!(
            stored,
            zhengka_domain::permits::permit::Permit {
                version: 1,
                ..permit.clone()
            }
        );
        assert_eq!(s.get_application("app-1").await.unwrap(), approved);

        let of_holder = s.permits_of_passport("E1234567").await.unwrap();
        assert_eq!(of_holder, vec![stored.clone()]);
        assert!(s.permits_of_passport("E7654321").await.unwrap().is_empty());

        let listed = s
            .list_permits(Some(&e.id), Some(&region("440000")), None, 10)
            .await
            .unwrap();
        assert_eq!(
            listed,
            vec![stored.clone()],
            "listed for its employer and province"
        );
        let elsewhere = s
            .list_permits(None, Some(&region("330100")), None, 10)
            .await
            .unwrap();
        assert!(elsewhere.is_empty(), "not listed for another region");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_permit_update_is_refused() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        let a = application("app-1", &e, at(0));
        s.insert_application(&a, write("application.create", "application", "app-1"))
            .await
            .unwrap();
        let (approved, permit) = approve(&a, 42);
        s.update_application(
            &approved,
            Some(&permit),
            write("application.approve", "application", "app-1"),
        )
        .await
        .unwrap();

        // Two officers read version 1; the first suspends it.
        let read = s.get_permit(&permit.permit_number).await.unwrap();
        let mut suspended = read.clone();
        suspended.status = PermitStatus::Suspended;
        s.update_permit(
            &suspended,
            write("permit.suspend", "permit", permit.permit_number.as_str()),
        )
        .await
        .unwrap();
        let now = s.get_permit(&permit.permit_number).await.unwrap();
        assert_eq!((now.status, now.version), (PermitStatus::Suspended, 2));

        // The second officer's write, from version 1, is refused.
        let events = db.count("audit_events").await;
        let mut cancelled = read.clone();
        cancelled.status = PermitStatus::Cancelled;
        let r = s
            .update_permit(
                &cancelled,
                write("permit.cancel", "permit", permit.permit_number.as_str()),
            )
            .await;
        assert_conflict(r, "stale permit version");
        assert_eq!(
            s.get_permit(&permit.permit_number).await.unwrap(),
            now,
            "unchanged"
        );
        assert_eq!(db.count("audit_events").await, events, "no audit event");

        // Inserting the same permit number again (version 0) is refused too, and
        // the application update that carried it is rolled back with it.
        let mut second = application("app-2", &e, at(1));
        second.form.kind = zhengka_domain::permits::application::ApplicationKind::ReissueNotice;
        s.insert_application(&second, write("application.create", "application", "app-2"))
            .await
            .unwrap();
        let (approved2, _) = approve(&second, 7);
        let r = s
            .update_application(
                &approved2,
                Some(&permit),
                write("application.approve", "application", "app-2"),
            )
            .await;
        assert_conflict(r, "permit number taken");
        assert_eq!(
            s.get_application("app-2").await.unwrap(),
            second,
            "rolled back"
        );
        assert_not_found(
            s.get_permit(&approved2.permit_number.clone().unwrap())
                .await,
            "no permit 7",
        );
        assert_eq!(s.verify_audit_chain().await.unwrap().broken_at, None);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_keeps_one_active_permit_per_passport() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        let a = application("app-1", &e, at(0));
        let permit = |number: u64| approve(&a, number).1;
        let record = |p: &Permit| write("permit.record", "permit", p.permit_number.as_str());
        let mut current = permit(1);
        s.update_permit(&current, record(&current)).await.unwrap();
        current.version = 1;
        // Every status the domain calls terminal frees the passport for a new
        // permit; every other one keeps it (the index mirrors `is_terminal`).
        let statuses = [
            PermitStatus::Valid,
            PermitStatus::Suspended,
            PermitStatus::Expired,
            PermitStatus::Cancelled,
            PermitStatus::Revoked,
        ];
        for (n, status) in (2..).zip(statuses) {
            current.status = status;
            s.update_permit(&current, record(&current)).await.unwrap();
            current.version += 1;
            let events = db.count("audit_events").await;
            let second = permit(n);
            let r = s.update_permit(&second, record(&second)).await;
            if status.is_terminal() {
                r.unwrap();
                current = Permit {
                    version: 1,
                    ..second
                };
            } else {
                match r {
                    Err(StoreError::Conflict { what }) => assert_eq!(what, ONE_ACTIVE_PERMIT),
                    other => panic!("{status:?}: expected the index to refuse, got {other:?}"),
                }
                assert_eq!(db.count("audit_events").await, events, "nothing written");
                assert_not_found(s.get_permit(&second.permit_number).await, "no second");
            }
        }
        let of_holder = s.permits_of_passport("E1234567").await.unwrap();
        let active = of_holder.iter().filter(|p| !p.status.is_terminal());
        assert_eq!(active.count(), 1);
        assert_eq!(
            of_holder.len(),
            4,
            "three terminal permits beside the active one"
        );
    })
    .await;
}
