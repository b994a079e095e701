//! Permits: created by an approval in the same transaction, found by number and
//! by passport, guarded by their version.

use zhengka_domain::permit::PermitStatus;
use zhengka_store::Store;

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
            zhengka_domain::permit::Permit {
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
        second.form.kind = zhengka_domain::application::ApplicationKind::ReissueNotice;
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
