//! Employers, users and sessions.

use chrono::Duration;
use zhengka_domain::employer::Role;
use zhengka_store::prelude::*;

use crate::backends::for_each_backend;
use crate::fixtures::{assert_conflict, assert_not_found, at, employer, user, write};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employers_are_stored_listed_and_unique_by_uscc() {
    for_each_backend(|db| async move {
        let s = &db.store;
        for n in [3, 1, 2] {
            let e = employer(n, "440100");
            s.insert_employer(&e, write("employer.create", "employer", &e.id))
                .await
                .unwrap();
        }

        let got = s.get_employer("emp-002").await.unwrap();
        assert_eq!(got, employer(2, "440100"), "round trip");
        assert_not_found(s.get_employer("emp-404").await, "unknown employer");

        // Listed by id, page by page.
        let first = s.list_employers(None, 2).await.unwrap();
        let ids: Vec<_> = first.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["emp-001", "emp-002"]);
        let rest = s.list_employers(Some("emp-002"), 2).await.unwrap();
        let ids: Vec<_> = rest.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["emp-003"]);

        // Another employer with the USCC of emp-001 is refused, and leaves no trace.
        let events_before = db.count("audit_events").await;
        let mut twin = employer(9, "440300");
        twin.uscc = employer(1, "440100").uscc;
        let r = s
            .insert_employer(&twin, write("employer.create", "employer", &twin.id))
            .await;
        assert_conflict(r, "duplicate USCC");
        assert_not_found(s.get_employer(&twin.id).await, "refused employer");
        assert_eq!(db.count("audit_events").await, events_before);
        assert_eq!(s.list_employers(None, 10).await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_found_by_username_and_usernames_are_unique() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let e = employer(1, "440100");
        s.insert_employer(&e, write("employer.create", "employer", &e.id))
            .await
            .unwrap();
        assert_eq!(s.count_users().await.unwrap(), 0);

        let agent = user("u-1", "hr.li@acme", Role::EmployerAgent, Some(&e.id));
        let officer = user("u-2", "officer.wang", Role::PermitOfficer, None);
        s.insert_user(
            &agent,
            "$argon2id$agent",
            write("user.create", "user", "u-1"),
        )
        .await
        .unwrap();
        s.insert_user(
            &officer,
            "$argon2id$officer",
            write("user.create", "user", "u-2"),
        )
        .await
        .unwrap();
        assert_eq!(s.count_users().await.unwrap(), 2);

        let found = s.user_by_username("hr.li@acme").await.unwrap();
        assert_eq!(found.user, agent);
        assert_eq!(found.password_hash, "$argon2id$agent");
        let found = s.user_by_username("officer.wang").await.unwrap();
        assert_eq!(found.user, officer, "region survives the round trip");
        assert_not_found(s.user_by_username("nobody").await, "unknown username");

        let twin = user("u-3", "hr.li@acme", Role::Admin, None);
        let r = s
            .insert_user(&twin, "$argon2id$x", write("user.create", "user", "u-3"))
            .await;
        assert_conflict(r, "duplicate username");
        assert_eq!(s.count_users().await.unwrap(), 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_when_they_expire_or_are_deleted() {
    for_each_backend(|db| async move {
        let s = &db.store;
        let u = user("u-1", "admin", Role::Admin, None);
        s.insert_user(&u, "$argon2id$admin", write("user.create", "user", "u-1"))
            .await
            .unwrap();
        let expires = at(3600);
        s.insert_session(
            "hash-live",
            "u-1",
            expires,
            write("session.create", "user", "u-1"),
        )
        .await
        .unwrap();
        s.insert_session(
            "hash-old",
            "u-1",
            at(-60),
            write("session.create", "user", "u-1"),
        )
        .await
        .unwrap();

        assert_eq!(s.session_user("hash-live", at(0)).await.unwrap(), u);
        let expired = s
            .session_user("hash-live", expires + Duration::seconds(1))
            .await;
        assert_not_found(expired, "session past its expiry");
        assert_not_found(s.session_user("hash-old", at(0)).await, "expired session");
        assert_not_found(s.session_user("hash-none", at(0)).await, "unknown token");

        s.delete_session("hash-live", write("session.delete", "user", "u-1"))
            .await
            .unwrap();
        assert_not_found(s.session_user("hash-live", at(0)).await, "deleted session");
        let again = s
            .delete_session("hash-live", write("session.delete", "user", "u-1"))
            .await;
        assert_not_found(again, "deleting twice");
    })
    .await;
}
