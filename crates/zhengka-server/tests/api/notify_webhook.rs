//! Notifications sent to the webhook: signed and timestamped, once when two
//! instances send at once, and a failing gateway retried after 10 s, 1 min,
//! 10 min, 1 h and 6 h, then dead with its last error. Time is driven by
//! passing `now` to the job; nothing sleeps.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use chrono::{Duration, Utc};
use serde_json::Value;
use zhengka_server::jobs::{Sent, deliver_notifications};
use zhengka_server::providers::notify_webhook::{NotifyWebhook, signature};
use zhengka_server::providers::outgoing::OutgoingTls;
use zhengka_store::prelude::*;

use crate::helpers::*;

const SECRET: &str = "a webhook secret of some length";

#[derive(Clone, Default)]
struct Gateway {
    seen: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    answer: Arc<AtomicU16>,
}

async fn receive(State(g): State<Gateway>, headers: HeaderMap, body: Bytes) -> StatusCode {
    g.seen.lock().unwrap().push((headers, body));
    StatusCode::from_u16(g.answer.load(Ordering::SeqCst)).unwrap()
}

/// A gateway on a free port answering `status`; its webhook.
async fn gateway(status: u16) -> (Gateway, NotifyWebhook) {
    let g = Gateway::default();
    g.answer.store(status, Ordering::SeqCst);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/notify", post(receive))
        .with_state(g.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let hook = NotifyWebhook::new(
        &url,
        SECRET,
        StdDuration::from_secs(2),
        &OutgoingTls::default(),
    )
    .unwrap();
    (g, hook)
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).unwrap().to_str().unwrap()
}

#[tokio::test]
async fn notifications_go_to_the_webhook_signed_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, token) = app.holder_ending_in(&c, "NW0000001", 85).await;
        app.sweep_reminders().await;
        let id = app.notifications(&token, "").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (g, hook) = gateway(204).await;
        let other = app.another_state().await;
        let now = Utc::now();
        let (x, y) = tokio::join!(
            deliver_notifications(app.store.as_ref(), &hook, now),
            deliver_notifications(other.store.as_ref(), &hook, now)
        );
        assert_eq!(x.unwrap().delivered + y.unwrap().delivered, 1);
        let seen = g.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "two instances send one attempt once");
        let (headers, body) = &seen[0];
        assert_eq!(header(headers, "zhengka-event-id"), id);
        let ts: i64 = header(headers, "zhengka-timestamp").parse().unwrap();
        assert_eq!(ts, now.timestamp());
        assert_eq!(
            header(headers, "zhengka-signature"),
            signature(SECRET.as_bytes(), ts, body)
        );
        let json: Value = serde_json::from_slice(body).unwrap();
        let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "body",
                "created_at",
                "holder_id",
                "id",
                "kind",
                "lang",
                "title"
            ]
        );
        assert_eq!(json["kind"], "permit_expiry_90");
        let text = String::from_utf8_lossy(body);
        assert!(
            !text.contains(permit["permit_number"].as_str().unwrap()),
            "{text}"
        );
        assert!(!text.contains("NW0000001"), "{text}");
        let d = app.store.delivery_of(&id).await.unwrap();
        assert_eq!((d.status.as_str(), d.attempts), ("delivered", 1));
        let again = deliver_notifications(app.store.as_ref(), &hook, now + Duration::hours(1));
        assert_eq!(again.await.unwrap(), Sent::default());
    })
    .await;
}

#[tokio::test]
async fn a_failing_webhook_is_retried_with_back_off_then_dead() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, token) = app.holder_ending_in(&c, "NW0000002", 85).await;
        app.sweep_reminders().await;
        let id = app.notifications(&token, "").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (g, hook) = gateway(503).await;
        let mut at = Utc::now();
        let run = |at| deliver_notifications(app.store.as_ref(), &hook, at);
        assert_eq!(run(at).await.unwrap().retried, 1);
        for wait in [10, 60, 600, 3600, 6 * 3600] {
            let early = at + Duration::seconds(wait - 1);
            assert_eq!(
                run(early).await.unwrap(),
                Sent::default(),
                "not before {wait} s"
            );
            at += Duration::seconds(wait);
            let sent = run(at).await.unwrap();
            let expect = if wait == 6 * 3600 { (0, 1) } else { (1, 0) };
            assert_eq!((sent.retried, sent.dead), expect, "after {wait} s");
        }
        assert_eq!(g.seen.lock().unwrap().len(), 6);
        let d = app.store.delivery_of(&id).await.unwrap();
        assert_eq!((d.status.as_str(), d.attempts), ("dead", 6));
        assert_eq!(d.last_error.as_deref(), Some("status 503"));
        assert_eq!(
            run(at + Duration::days(1)).await.unwrap(),
            Sent::default(),
            "dead stays dead"
        );
        let actions = app.audit_actions().await;
        let failed = actions
            .iter()
            .filter(|a| *a == "ecard.notification_delivery_failed");
        assert_eq!(failed.count(), 5);
        assert!(actions.iter().any(|a| a == "ecard.notification_dead"));
        // The in-app notification is there whatever the webhook did.
        assert_eq!(app.notifications(&token, "").await["unread"], 1);
    })
    .await;
}

#[test]
fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
    // Computed independently: Python's hmac.new(b"Jefe", b'1700000000.{"a":1}', sha256).
    let known = "v1=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a";
    assert_eq!(signature(b"Jefe", 1_700_000_000, br#"{"a":1}"#), known);
    let new = |url: &str, secret: &str| {
        NotifyWebhook::new(
            url,
            secret,
            StdDuration::from_secs(1),
            &OutgoingTls::default(),
        )
    };
    let err = new("ftp://x", SECRET).unwrap_err();
    assert!(err.contains("http(s)://"), "{err}");
    assert!(new("http://x", "short").is_err());
    assert!(new("https://gateway.example/notify", SECRET).is_ok());
    let hook = new("http://x/notify", SECRET).unwrap();
    assert!(
        !format!("{hook:?}").contains(SECRET),
        "the secret never prints"
    );
}

#[tokio::test]
async fn nothing_goes_out_to_a_closed_account() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, token) = app.holder_ending_in(&c, "NW0000003", 85).await;
        app.sweep_reminders().await;
        let id = app.notifications(&token, "").await["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let holder = app.get("/api/v1/ecard", &token).await.body["holder"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/v1/ecard/holders/{holder}/close");
        let r = app.post(&path, &token, &serde_json::json!(null)).await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        let (g, hook) = gateway(204).await;
        let sent = deliver_notifications(app.store.as_ref(), &hook, Utc::now()).await;
        assert_eq!(sent.unwrap().dead, 1);
        assert!(g.seen.lock().unwrap().is_empty());
        let d = app.store.delivery_of(&id).await.unwrap();
        assert_eq!(d.last_error.as_deref(), Some("holder account closed"));
    })
    .await;
}
