//! Several instances on one database, as behind a load balancer: each job runs
//! on one instance (its lease), each effect happens once, and a change made
//! through one instance shows on the others within the documented second.

use std::time::Duration;

use chrono::{Days, Utc};
use serde_json::json;
use sqlx::Row;
use zhengka_credential::{Purpose, Rejection, StatusList, TrustList, verify};
use zhengka_server::{AppState, jobs, router};
use zhengka_store::{CoordinationStore, Delivery, testing};

use crate::helpers::*;

/// An instance serving on a free port with its job loops on short periods.
async fn instance(app: &TestApp, every: Duration) -> (String, AppState) {
    let state = app.another_state().await;
    jobs::spawn_deadline_sweeper(state.clone(), every);
    jobs::spawn_event_dispatcher(state.clone(), every);
    jobs::spawn_card_batcher(state.clone(), every);
    jobs::spawn_reminder_sweeper(state.clone(), every);
    jobs::spawn_notification_sender(state.clone(), every);
    jobs::spawn_federation_refresher(state.clone(), every);
    jobs::spawn_webhook_sender(state.clone(), every);
    jobs::spawn_nats_publisher(state.clone(), every);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = router(state.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, state)
}

async fn count(app: &TestApp, sql: &str, arg: &str) -> i64 {
    let row = sqlx::query(sql)
        .bind(arg)
        .fetch_one(&app.raw().await)
        .await
        .unwrap();
    row.try_get("n").unwrap()
}

/// GET `path` on the server at `base` until `done` holds for the body (5 s).
async fn eventually(
    app: &TestApp,
    base: &str,
    path: &str,
    token: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) {
    for _ in 0..100 {
        let r = app
            .client
            .get(format!("{base}{path}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        if done(&r.json().await.unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} on {base} never got there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_run_each_job_once() {
    let Some(db) = testing::postgres().await else {
        eprintln!("note: {} is not set; skipped", testing::DATABASE_URL_VAR);
        return;
    };
    let app = TestApp::spawn(db).await;
    let every = Duration::from_millis(100);
    let (a, b) = (instance(&app, every).await, instance(&app, every).await);
    let c = app.card_cast().await;

    // A permit that ends: the social security reaction applies once.
    let permit = app.holder(&c, "MI0000001", None).await;
    let number = permit["permit_number"].as_str().unwrap().to_owned();
    let ssn = app.enrol(&c, &permit).await.body["ssn"]
        .as_str()
        .unwrap()
        .to_owned();
    app.cancel(&c, &number).await;
    let account = format!("/api/v1/social-security/accounts/{ssn}");
    eventually(&app, &a.0, &account, &c.ss, |v| v["status"] == "ended").await;

    // A missed on-site check: the deadline sweep suspends the permit once.
    let mut form = new_from_abroad("MI0000002");
    form["scoring"]["education"] = json!("bachelor");
    form["contract"]["annual_salary_cny"] = json!(150000);
    let late = app.approve(&c.agent, &c.officer, &form).await;
    let late = late["permit_number"].as_str().unwrap().to_owned();
    app.backdate_approval(&late, 41).await;
    let entry = Utc::now().date_naive() - Days::new(40);
    let r = app
        .post(
            &format!("/api/v1/permits/{late}/entry"),
            &c.agent,
            &json!({ "entry_date": entry }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let path = format!("/api/v1/permits/{late}");
    eventually(&app, &b.0, &path, &c.agent, |v| v["status"] == "suspended").await;

    // Both instances keep running their loops a while longer.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let ended = "SELECT COUNT(*) AS n FROM audit_events WHERE action = $1";
    assert_eq!(count(&app, ended, "ss_account.insurances_ended").await, 1);
    let swept = "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'permit.status_changed' \
                 AND entity_id = $1";
    assert_eq!(count(&app, swept, &late).await, 1, "one sweep changed it");
    let deliveries = "SELECT COUNT(*) AS n FROM outbox_deliveries WHERE subscriber = $1";
    assert!(count(&app, deliveries, "social_security").await >= 1);
    assert_one_holder_each(&app, &a.1, &b.1).await;
}

/// Every leased job ran on exactly one of the two instances, the one the
/// lease table names.
async fn assert_one_holder_each(app: &TestApp, a: &AppState, b: &AppState) {
    let leases = app.store.job_leases().await.unwrap();
    for job in jobs::LEASED {
        let lease = leases
            .iter()
            .find(|l| l.name == job)
            .unwrap_or_else(|| panic!("{job}"));
        let ran = |s: &AppState| {
            s.jobs
                .stats()
                .iter()
                .any(|(n, st)| *n == job && st.runs > 0)
        };
        let runners: Vec<&str> = [a, b]
            .iter()
            .filter(|s| ran(s))
            .map(|s| s.jobs.holder())
            .collect();
        assert_eq!(runners, [lease.holder.as_str()], "{job}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_dispatchers_apply_each_event_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut ssns = vec![];
        for i in 0..3 {
            let permit = app.holder(&c, &format!("RD000000{i}"), None).await;
            ssns.push(
                app.enrol(&c, &permit).await.body["ssn"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
            app.cancel(&c, permit["permit_number"].as_str().unwrap())
                .await;
        }
        // The same events handed to two instances' handlers at once, as two
        // dispatchers that both read them before either wrote would.
        let (x, y) = (app.another_state().await, app.another_state().await);
        let s = &jobs::dispatch::SUBSCRIBERS[0];
        assert_eq!(s.name, "social_security");
        let now = Utc::now();
        let pending = x.store.pending_events(s.name, s.types, 100).await.unwrap();
        assert_eq!(pending.len(), 3);
        for entry in &pending {
            let delivery = || Delivery {
                subscriber: s.name,
                event_id: entry.event.id.clone(),
                seq: entry.seq,
            };
            let (rx, ry) = tokio::join!(
                (s.handle)(x.store.as_ref(), entry, delivery(), now),
                (s.handle)(y.store.as_ref(), entry, delivery(), now)
            );
            let applied = [&rx, &ry].iter().filter(|r| matches!(r, Ok(true))).count();
            assert_eq!(applied, 1, "{rx:?} {ry:?}");
        }
        // Then both dispatch loops at once: nothing is left to change.
        let audit = app.audit_count().await;
        let (dx, dy) = tokio::join!(
            jobs::dispatch_once(x.store.as_ref(), now),
            jobs::dispatch_once(y.store.as_ref(), now)
        );
        assert_eq!(dx.unwrap().applied + dy.unwrap().applied, 0);
        assert_eq!(app.audit_count().await, audit);
        let ended = "SELECT COUNT(*) AS n FROM audit_events WHERE action = $1";
        assert_eq!(count(&app, ended, "ss_account.insurances_ended").await, 3);
        for ssn in ssns {
            let a = app
                .get(&format!("/api/v1/social-security/accounts/{ssn}"), &c.ss)
                .await;
            assert_eq!(a.body["status"], "ended");
        }
    })
    .await;
}

/// The Notice's verdict against the lists served by `base`.
async fn verdict(app: &TestApp, base: &str, qr: &str) -> Result<(), Rejection> {
    let now = Utc::now().timestamp();
    let get = |path: &'static str| {
        let url = format!("{base}{path}");
        async move {
            app.client
                .get(url)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        }
    };
    let trust = TrustList::from_signed(&get("/api/v1/trust-list").await, &app.anchor, now).unwrap();
    let status = StatusList::from_token(&get("/api/v1/status-lists/1").await, &trust).unwrap();
    verify(qr, &trust, Some(&status), now, Purpose::Notice).map(|_| ())
}

#[tokio::test]
async fn a_cancellation_on_one_instance_revokes_on_another_within_a_second() {
    each_backend(|app| async move {
        let other = app.another_server().await;
        let (_, agent, officer) = app.cast().await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("SV0000001"))
            .await;
        let id = approved["id"].as_str().unwrap();
        let permit = approved["permit_number"].as_str().unwrap().to_owned();
        let notice = app
            .get(&format!("/api/v1/applications/{id}/notice"), &agent)
            .await;
        let qr = notice.body["qr"].as_str().unwrap().to_owned();
        // The other instance builds and caches its list now.
        assert!(verdict(&app, &other, &qr).await.is_ok());
        let form = json!({ "kind": "cancellation", "permit_number": permit,
                           "cancellation": { "employment_ended_on": Utc::now().date_naive() } });
        app.approve(&agent, &officer, &form).await;
        // Its cache is 30 s; the change counter cuts that to the recheck interval.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(verdict(&app, &other, &qr).await, Err(Rejection::Revoked));
    })
    .await;
}
