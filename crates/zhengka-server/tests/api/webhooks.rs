//! Agency webhooks: subscriptions managed by the admin only, checked input,
//! the secret shown once; deliveries signed, retried after 10 s, 1 min,
//! 10 min, 1 h, 6 h, then dead, and redelivered by the admin; an event
//! handled twice queues once. Time is driven by passing `now` to the job.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;
use zhengka_server::jobs::{self, Sent, deliver_webhooks};
use zhengka_server::providers::outgoing::Outgoing;
use zhengka_server::providers::signing::verify_signature;

use crate::helpers::*;

/// A receiver that answers 500 to its first `fail` requests, then 204, and
/// keeps every request's headers and body.
#[derive(Clone, Default)]
pub struct Receiver {
    pub seen: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    fail: Arc<AtomicUsize>,
    pub url: String,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.seen.lock().unwrap().push((headers, body));
    let left = r.fail.load(Ordering::SeqCst);
    if left > 0 {
        r.fail.store(left - 1, Ordering::SeqCst);
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

impl Receiver {
    pub async fn start(fail: usize) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut r = Self::default();
        r.fail.store(fail, Ordering::SeqCst);
        r.url = format!("http://{}/zhengka/events", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .route("/zhengka/events", post(receive))
            .with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        r
    }

    pub fn fail_next(&self, n: usize) {
        self.fail.store(n, Ordering::SeqCst);
    }

    /// The received events, each checked as a receiver must (the MAC under
    /// `secret`, a fresh timestamp: at `now`, or when `None` at the time it
    /// says, for tests that drive the clock); (type, event JSON).
    pub fn verified(&self, secret: &str, now: Option<DateTime<Utc>>) -> Vec<(String, Value)> {
        let seen = self.seen.lock().unwrap().clone();
        seen.iter()
            .map(|(h, body)| {
                let header = |n: &str| h.get(n).unwrap().to_str().unwrap().to_owned();
                let ts = header("zhengka-timestamp");
                let at = now
                    .unwrap_or_else(|| DateTime::from_timestamp(ts.parse().unwrap(), 0).unwrap());
                verify_signature(
                    secret.as_bytes(),
                    &ts,
                    body,
                    &header("zhengka-signature"),
                    at,
                )
                .expect("signed with the subscription's secret");
                let event: Value = serde_json::from_slice(body).unwrap();
                assert_eq!(header("zhengka-event-id"), event["id"].as_str().unwrap());
                (event["type"].as_str().unwrap().to_owned(), event)
            })
            .collect()
    }
}

/// The webhooks' client as `serve` builds it without `--tls-ca-file`.
pub fn webhooks() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| Outgoing::default().webhooks)
}

impl TestApp {
    /// Subscribe `url` to `types` as the admin; (subscription id, secret).
    pub async fn subscribe(&self, url: &str, types: &[&str]) -> (String, String) {
        let body = json!({ "name": "Public security bureau", "url": url, "event_types": types });
        let r = self.post("/api/v1/webhooks", &self.admin, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let secret = r.body["secret"].as_str().unwrap().to_owned();
        (r.body["id"].as_str().unwrap().to_owned(), secret)
    }

    pub async fn webhook_deliveries(&self, id: &str, query: &str) -> Value {
        let r = self
            .get(
                &format!("/api/v1/webhooks/{id}/deliveries{query}"),
                &self.admin,
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }
}

#[tokio::test]
async fn only_the_admin_manages_subscriptions_and_the_input_is_checked() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let rp = app.user("clinic", "relying_party", None, None).await;
        let body = json!({ "name": "Bureau", "url": "http://127.0.0.1:9/in",
                           "event_types": ["permit.cancelled"] });
        for who in [&agent, &police, &rp] {
            for (m, path) in [
                (Method::POST, "/api/v1/webhooks"),
                (Method::GET, "/api/v1/webhooks"),
                (Method::GET, "/api/v1/webhooks/x"),
                (Method::PUT, "/api/v1/webhooks/x"),
                (Method::DELETE, "/api/v1/webhooks/x"),
                (Method::POST, "/api/v1/webhooks/x/rotate-secret"),
                (Method::GET, "/api/v1/webhooks/x/deliveries"),
                (Method::POST, "/api/v1/webhooks/deliveries/x/redeliver"),
                (Method::POST, "/api/v1/admin/deliver-webhooks"),
            ] {
                let r = app.request(m.clone(), path, who, Some(&body), &[]).await;
                assert_eq!(r.status, 403, "{m} {path}: {:?}", r.body);
            }
        }
        let r = app.post("/api/v1/webhooks", "", &body).await;
        assert_eq!(r.status, 401);
        let before = app.audit_count().await;
        let app = &app;
        let bad = |b: Value| async move {
            let r = app.post("/api/v1/webhooks", &app.admin, &b).await;
            (
                r.status,
                r.error().0.to_owned(),
                r.error().1.map(str::to_owned),
            )
        };
        let types = json!(["permit.cancelled", "permit.approvd"]);
        for (b, code, field) in [
            (
                json!({ "name": "B", "url": "http://a/b", "event_types": types }),
                "unknown_event_type",
                "event_types[1]",
            ),
            (
                json!({ "name": "B", "url": "http://a/b", "event_types": [] }),
                "no_event_types",
                "event_types",
            ),
            (
                json!({ "name": "B", "url": "ftp://a/b", "event_types": ["card.frozen"] }),
                "invalid_webhook_url",
                "url",
            ),
            (
                json!({ "name": "B", "url": "http://a:99999/b", "event_types": ["card.frozen"] }),
                "invalid_webhook_url",
                "url",
            ),
            (
                json!({ "name": " ", "url": "http://a/b", "event_types": ["card.frozen"] }),
                "invalid_subscription_name",
                "name",
            ),
            (
                json!({ "name": "B", "url": "http://a/b", "event_types": ["card.frozen"],
                     "organisation_id": "nobody" }),
                "unknown_organisation",
                "organisation_id",
            ),
        ] {
            assert_eq!(bad(b).await, (422, code.to_owned(), Some(field.to_owned())));
        }
        let (status, _, field) =
            bad(json!({ "name": "B", "url": "http://a/b", "event_types": "card.frozen" })).await;
        assert_eq!((status, field.as_deref()), (422, Some("event_types")));
        let (status, _, _) = bad(json!({ "name": "B", "url": "http://a/b",
                                         "event_types": ["card.frozen"], "secret": "mine" }))
        .await;
        assert_eq!(status, 422, "no unknown fields (the secret is made here)");
        assert_eq!(
            app.audit_count().await,
            before,
            "nothing refused is written"
        );

        // Made: the secret shown once, never again, never in clear at rest.
        let key = [("idempotency-key", "subscribe-1")];
        let first = app
            .request(
                Method::POST,
                "/api/v1/webhooks",
                &app.admin,
                Some(&body),
                &key,
            )
            .await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        let secret = first.body["secret"].as_str().unwrap().to_owned();
        assert!(
            secret.starts_with("whsec_") && secret.len() == 70,
            "{secret}"
        );
        assert_eq!(first.body["active"], true);
        let again = app
            .request(
                Method::POST,
                "/api/v1/webhooks",
                &app.admin,
                Some(&body),
                &key,
            )
            .await;
        assert_ne!(
            again.body["secret"], first.body["secret"],
            "a response with a secret is never replayed"
        );
        let id = first.body["id"].as_str().unwrap().to_owned();
        let got = app.get(&format!("/api/v1/webhooks/{id}"), &app.admin).await;
        assert_eq!((got.status, got.body.get("secret")), (200, None));
        let list = app.get("/api/v1/webhooks", &app.admin).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
        assert!(!list.body.to_string().contains(&secret));
        let raw = app.raw().await;
        for (table, col) in [
            ("webhook_subscriptions", "secret_enc"),
            ("audit_events", "details"),
        ] {
            let rows = sqlx::query(&format!("SELECT {col} AS v FROM {table}"))
                .fetch_all(&raw)
                .await
                .unwrap();
            for row in rows {
                let v: Vec<u8> = row
                    .try_get::<Vec<u8>, _>("v")
                    .or_else(|_| row.try_get::<String, _>("v").map(String::into_bytes))
                    .unwrap();
                assert!(
                    !v.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "the secret in clear in {table}"
                );
            }
        }
        let idem: i64 = sqlx::query("SELECT COUNT(*) AS n FROM idempotency_keys")
            .fetch_one(&raw)
            .await
            .unwrap()
            .try_get("n")
            .unwrap();
        assert_eq!(idem, 0, "no idempotency record of a secret");

        // Rotated: a new secret, once.
        let r = app
            .post(
                &format!("/api/v1/webhooks/{id}/rotate-secret"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_ne!(r.body["secret"].as_str().unwrap(), secret);
        // Changed and switched off.
        let put = |b: Value| {
            let path = format!("/api/v1/webhooks/{id}");
            async move {
                app.request(Method::PUT, &path, &app.admin, Some(&b), &[])
                    .await
            }
        };
        let r = put(json!({ "event_types": ["card.frozen", "ssn.issued"] })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["event_types"], json!(["card.frozen", "ssn.issued"]));
        assert_eq!(r.body["url"], "http://127.0.0.1:9/in");
        let r = put(json!({ "event_types": ["ecard.registered"] })).await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unknown_event_type", Some("event_types[0]")))
        );
        let r = put(json!({ "url": "http://a" })).await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("invalid_webhook_url", Some("url")))
        );
        let r = put(json!({ "active": "yes" })).await;
        assert_eq!(r.status, 422);
        let r = app
            .request(
                Method::DELETE,
                &format!("/api/v1/webhooks/{id}"),
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!((r.status, &r.body["active"]), (200, &json!(false)));
        for (m, path) in [
            (Method::GET, "/api/v1/webhooks/nope"),
            (Method::PUT, "/api/v1/webhooks/nope"),
            (Method::DELETE, "/api/v1/webhooks/nope"),
            (Method::POST, "/api/v1/webhooks/nope/rotate-secret"),
            (Method::GET, "/api/v1/webhooks/nope/deliveries"),
        ] {
            let r = app
                .request(m.clone(), path, &app.admin, Some(&json!({})), &[])
                .await;
            assert_eq!(
                (r.status, r.error().0),
                (404, "webhook_not_found"),
                "{m} {path}"
            );
        }
        let r = app
            .post(
                "/api/v1/webhooks/deliveries/nope/redeliver",
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (404, "delivery_not_found"));
        // Linked to a registered relying party.
        let org = json!({ "name": "Guangzhou First Hospital", "sector": "healthcare",
                          "region_code": "440100", "purposes": ["healthcare"] });
        let org = app.post("/api/v1/relying-parties", &app.admin, &org).await;
        assert_eq!(org.status, 201, "{:?}", org.body);
        let linked = json!({ "name": "Hospital", "url": "https://hospital.example/zk",
                             "event_types": ["ssn.issued"], "organisation_id": org.body["id"] });
        let r = app.post("/api/v1/webhooks", &app.admin, &linked).await;
        assert_eq!(
            (r.status, &r.body["organisation_id"]),
            (201, &org.body["id"])
        );
        for (q, field) in [
            ("?status=lost", "status"),
            ("?cursor=zz", "cursor"),
            ("?limit=0", "limit"),
        ] {
            let r = app
                .get(&format!("/api/v1/webhooks/{id}/deliveries{q}"), &app.admin)
                .await;
            assert_eq!((r.status, r.error().1), (422, Some(field)), "{q}");
        }
    })
    .await;
}

/// Attempt `n` (1-based) of a delivery that keeps failing is due this long
/// after the first: 0, 10 s, +1 min, +10 min, +1 h, +6 h.
fn due_after(n: usize) -> Duration {
    let waits = [0, 10, 60, 600, 3600, 6 * 3600];
    Duration::seconds(waits[..n].iter().sum())
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_back_off_then_dead_then_redelivered() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let receiver = Receiver::start(usize::MAX).await;
        let (id, secret) = app.subscribe(&receiver.url, &["permit.cancelled"]).await;
        let permit = app.holder(&c, "WH0000001", None).await;
        let number = permit["permit_number"].as_str().unwrap();
        app.cancel(&c, number).await;
        app.dispatch().await;
        let queued = app.webhook_deliveries(&id, "").await;
        assert_eq!(queued["items"].as_array().unwrap().len(), 1, "{queued}");
        assert_eq!(queued["items"][0]["status"], "pending");
        let start = Utc::now();
        for n in 1..=6 {
            let at = start + due_after(n);
            // Not yet due a second before.
            if n > 1 {
                let early =
                    deliver_webhooks(app.store.as_ref(), webhooks(), at - Duration::seconds(1));
                assert_eq!(early.await.unwrap(), Sent::default(), "attempt {n} early");
            }
            let sent = deliver_webhooks(app.store.as_ref(), webhooks(), at)
                .await
                .unwrap();
            let want = if n < 6 { (0, 1, 0) } else { (0, 0, 1) };
            assert_eq!(
                (sent.delivered, sent.retried, sent.dead),
                want,
                "attempt {n}"
            );
        }
        assert_eq!(receiver.seen.lock().unwrap().len(), 6);
        let dead = app.webhook_deliveries(&id, "?status=dead").await;
        let d = &dead["items"][0];
        assert_eq!(
            (&d["attempts"], &d["last_error"]),
            (&json!(6), &json!("status 500"))
        );
        assert_eq!(
            app.webhook_deliveries(&id, "?status=pending").await["items"],
            json!([])
        );
        let later = start + due_after(6) + Duration::days(1);
        assert_eq!(
            deliver_webhooks(app.store.as_ref(), webhooks(), later)
                .await
                .unwrap(),
            Sent::default()
        );

        // The admin sends it again: pending, due now, and it goes through.
        receiver.fail_next(0);
        let delivery = d["id"].as_str().unwrap();
        let path = format!("/api/v1/webhooks/deliveries/{delivery}/redeliver");
        let before = app.audit_count().await;
        let r = app.post(&path, &app.admin, &json!(null)).await;
        assert_eq!(
            (r.status, &r.body["status"], &r.body["attempts"]),
            (200, &json!("pending"), &json!(0))
        );
        assert_eq!(
            app.audit_count().await,
            before + 1,
            "the redelivery is audited"
        );
        let r = app.post(&path, &app.admin, &json!(null)).await;
        assert_eq!((r.status, r.error().0), (409, "delivery_pending"));
        let r = app
            .post("/api/v1/admin/deliver-webhooks", &app.admin, &json!(null))
            .await;
        assert_eq!(r.body, json!({ "delivered": 1, "retried": 0, "dead": 0 }));
        let done = app.webhook_deliveries(&id, "?status=delivered").await;
        assert_eq!(done["items"][0]["id"], delivery);
        // Every attempt was signed with the subscription's secret, the same event.
        let got = receiver.verified(&secret, None);
        assert_eq!(got.len(), 7);
        let (kind, event) = &got[6];
        assert_eq!(kind, "permit.cancelled");
        assert_eq!(event["data"]["permit_number"], number);
        assert!(
            !event.to_string().contains("WH0000001"),
            "no passport number"
        );
        // A delivered one may go again too (an agency lost its copy); two
        // admins at once move it once (the guarded update).
        let before = app.audit_count().await;
        let (x, y) = tokio::join!(
            app.post(&path, &app.admin, &json!(null)),
            app.post(&path, &app.admin, &json!(null))
        );
        let mut statuses = [x.status, y.status];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "{:?} {:?}", x.body, y.body);
        assert_eq!(app.audit_count().await, before + 1);
        let r = app
            .post("/api/v1/admin/deliver-webhooks", &app.admin, &json!(null))
            .await;
        assert_eq!(r.body["delivered"], 1);
        let h = receiver.seen.lock().unwrap().clone();
        assert_eq!(
            h[7].0["zhengka-event-id"], h[6].0["zhengka-event-id"],
            "receivers dedupe by id"
        );
    })
    .await;
}

#[tokio::test]
async fn an_event_handled_twice_queues_once_and_only_for_subscribers_of_its_type() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let a = Receiver::start(0).await;
        let b = Receiver::start(0).await;
        let (frozen, _) = app
            .subscribe(&a.url, &["permit.cancelled", "card.frozen"])
            .await;
        let (ssn, _) = app.subscribe(&b.url, &["ssn.issued"]).await;
        let (off, _) = app.subscribe(&b.url, &["permit.cancelled"]).await;
        let (down, _) = app
            .subscribe("https://127.0.0.1:1/in", &["permit.cancelled"])
            .await;
        let r = app
            .request(
                Method::DELETE,
                &format!("/api/v1/webhooks/{off}"),
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 200);
        let permit = app.holder(&c, "WH0000002", None).await;
        app.cancel(&c, permit["permit_number"].as_str().unwrap())
            .await;
        // Two dispatchers (two instances) at once, then once more.
        let other = app.another_state().await;
        let now = Utc::now();
        let (x, y) = tokio::join!(
            jobs::dispatch_once(app.store.as_ref(), now),
            jobs::dispatch_once(other.store.as_ref(), now)
        );
        x.unwrap();
        y.unwrap();
        app.dispatch().await;
        let items = app.webhook_deliveries(&frozen, "").await["items"].clone();
        let types: Vec<_> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["event_type"].clone())
            .collect();
        assert_eq!(
            types,
            [json!("permit.cancelled")],
            "once, and no card event without a card"
        );
        assert_eq!(app.webhook_deliveries(&ssn, "").await["items"], json!([]));
        assert_eq!(
            app.webhook_deliveries(&off, "").await["items"],
            json!([]),
            "switched off"
        );
        let (x, y) = tokio::join!(
            deliver_webhooks(app.store.as_ref(), webhooks(), now),
            deliver_webhooks(other.store.as_ref(), webhooks(), now)
        );
        assert_eq!(
            x.unwrap().delivered + y.unwrap().delivered,
            1,
            "one attempt, once"
        );
        assert_eq!(a.seen.lock().unwrap().len(), 1);
        let t = &app.webhook_deliveries(&down, "").await["items"][0];
        assert_eq!(
            (&t["status"], &t["attempts"]),
            (&json!("pending"), &json!(1))
        );
        assert!(
            t["last_error"]
                .as_str()
                .unwrap()
                .contains("connection failed"),
            "{t}"
        );
        assert!(b.seen.lock().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn deliveries_are_paged() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let receiver = Receiver::start(0).await;
        let (id, _) = app.subscribe(&receiver.url, &["permit.cancelled"]).await;
        for p in ["WH0000003", "WH0000004", "WH0000005"] {
            let permit = app.holder(&c, p, None).await;
            app.cancel(&c, permit["permit_number"].as_str().unwrap())
                .await;
        }
        app.dispatch().await;
        let first = app.webhook_deliveries(&id, "?limit=2").await;
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = app
            .webhook_deliveries(&id, &format!("?limit=2&cursor={}", urlencode(cursor)))
            .await;
        assert_eq!(rest["items"].as_array().unwrap().len(), 1);
        assert_eq!(rest["next_cursor"], Value::Null);
        let mut ids: Vec<_> = first["items"]
            .as_array()
            .unwrap()
            .iter()
            .chain(rest["items"].as_array().unwrap())
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect();
        ids.dedup();
        assert_eq!(ids.len(), 3);
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
