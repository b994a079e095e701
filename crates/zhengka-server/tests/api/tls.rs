//! Outgoing https: an agency's webhook receiver and a peer region behind
//! HTTPS fronts whose certificates a private CA made at test time issued.
//! With the platform's roots only, the certificate is not trusted and the
//! error says so; with the CA given (as `serve --tls-ca-file`), the signed
//! delivery arrives and the peer's lists are fetched.

use chrono::{Duration, Utc};
use serde_json::json;
use zhengka_credential::anchor_text;
use zhengka_server::jobs::{Sent, deliver_webhooks};
use zhengka_server::providers::Providers;
use zhengka_server::providers::outgoing::{Outgoing, OutgoingTls};
use zhengka_store::testing;

use crate::helpers::*;
use crate::tls_front::TlsFront;
use crate::webhooks::{Receiver, webhooks};

/// The clients `serve --tls-ca-file` builds when `front`'s CA is the file.
fn trusting(front: &TlsFront) -> (Outgoing, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let tls = OutgoingTls::new(Some(&front.ca_file(dir.path()))).unwrap();
    (Outgoing::new(&tls).unwrap(), dir)
}

#[tokio::test]
async fn an_https_webhook_is_delivered_signed_once_its_ca_is_trusted() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let receiver = Receiver::start(0).await;
        let front = TlsFront::start(&receiver.url).await;
        let url = format!("{}/zhengka/events", front.url);
        let (id, secret) = app.subscribe(&url, &["permit.cancelled"]).await;
        let permit = app.holder(&c, "TL0000001", None).await;
        let number = permit["permit_number"].as_str().unwrap();
        app.cancel(&c, number).await;
        app.dispatch().await;

        // The platform's roots do not know the agency's CA.
        let now = Utc::now();
        let sent = deliver_webhooks(app.store.as_ref(), webhooks(), now).await;
        assert_eq!(
            sent.unwrap(),
            Sent {
                retried: 1,
                ..Sent::default()
            }
        );
        let d = &app.webhook_deliveries(&id, "").await["items"][0];
        let error = d["last_error"].as_str().unwrap();
        assert!(error.contains("certificate not trusted"), "{d}");
        assert!(receiver.seen.lock().unwrap().is_empty(), "nothing sent");

        // Its CA given: the retry goes through, signed.
        let (outgoing, _dir) = trusting(&front);
        let at = now + Duration::seconds(10);
        let sent = deliver_webhooks(app.store.as_ref(), &outgoing.webhooks, at).await;
        assert_eq!(sent.unwrap().delivered, 1);
        let got = receiver.verified(&secret, None);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "permit.cancelled");
        assert_eq!(got[0].1["data"]["permit_number"], number);
        let d = &app.webhook_deliveries(&id, "").await["items"][0];
        assert_eq!(
            (&d["status"], &d["attempts"]),
            (&json!("delivered"), &json!(2))
        );
    })
    .await;
}

#[tokio::test]
async fn a_peer_region_is_fetched_over_https_once_its_ca_is_trusted() {
    let pairs = testing::all().await.into_iter().zip(testing::all().await);
    for (da, db) in pairs {
        let a = TestApp::spawn_in(da, "440000").await;
        let b = TestApp::spawn_in(db, "310000").await;
        eprintln!("-- backend: {}", a.backend);
        let c = a.card_cast().await;
        let approved = a
            .approve(&c.agent, &c.officer, &new_from_abroad("TL0000002"))
            .await;
        let app_id = approved["id"].as_str().unwrap();
        let notice = a
            .get(&format!("/api/v1/applications/{app_id}/notice"), &c.agent)
            .await;
        let qr = notice.body["qr"].as_str().unwrap().to_owned();
        let police = b
            .user("police.sh", "police_officer", None, Some("310000"))
            .await;
        let front = TlsFront::start(&a.base).await;

        // B's server trusts the platform's roots only: pinned, not fetched.
        let body = json!({ "region_code": "440000", "name": "Guangdong",
                           "anchor": anchor_text(&a.anchor), "url": front.url,
                           "max_age_seconds": 600 });
        let pinned = b.post("/api/v1/federation/peers", &b.admin, &body).await;
        assert_eq!(pinned.status, 201, "{:?}", pinned.body);
        let error = pinned.body["last_error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("peer_unreachable") && error.contains("certificate not trusted"),
            "{:?}",
            pinned.body
        );
        let id = pinned.body["id"].as_str().unwrap().to_owned();
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{id}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (503, "peer_unreachable"));
        let v = b
            .post(
                "/api/v1/verifications",
                &police,
                &json!({ "qr": qr, "purpose": "notice" }),
            )
            .await;
        assert_eq!(v.body["reason"], "unknown_key", "{:?}", v.body);

        // Another B instance started with A's CA in --tls-ca-file.
        let (outgoing, _dir) = trusting(&front);
        let state = b.another_state().await.with_providers(Providers {
            outgoing,
            ..Providers::default()
        });
        let refreshed =
            zhengka_server::api::verification::federation::refresh_peer(&state, &id, "admin")
                .await
                .unwrap();
        assert_eq!(refreshed, Ok(()));
        let got = b
            .get(&format!("/api/v1/federation/peers/{id}"), &b.admin)
            .await;
        assert_eq!(got.body["status_lists"].as_array().unwrap().len(), 3);
        // The other instance's refresh shows here once this one reads its
        // peers again (at most STATUS_RECHECK, 1 s, later).
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let v = b
            .post(
                "/api/v1/verifications",
                &police,
                &json!({ "qr": qr, "purpose": "notice" }),
            )
            .await;
        assert_eq!(v.body["valid"], json!(true), "{:?}", v.body);
    }
}
