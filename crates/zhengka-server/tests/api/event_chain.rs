//! The cancellation chain end to end (issue 10, the event chain): an approved
//! permit with a social security account, a card and an e-card holder; the
//! permit cancelled through the API → status list 1 marks its Notice → the
//! police's online check says revoked → the insurances end and the card is
//! frozen → the holder is notified → the agency's webhook receiver gets
//! `permit.cancelled` and `card.frozen`, signed → NATS has them.

use chrono::Utc;
use serde_json::json;
use zhengka_credential::{Purpose, Rejection, StatusList, TrustList, verify};
use zhengka_server::jobs::publish_to_nats;

use crate::helpers::*;
use crate::nats::TestStream;
use crate::webhooks::Receiver;

async fn offline(app: &TestApp, qr: &str) -> Result<(), Rejection> {
    let now = Utc::now().timestamp();
    let trust =
        TrustList::from_signed(&app.bytes("/api/v1/trust-list").await, &app.anchor, now).unwrap();
    let status =
        StatusList::from_token(&app.bytes("/api/v1/status-lists/1").await, &trust).unwrap();
    verify(qr, &trust, Some(&status), now, Purpose::Notice).map(|_| ())
}

#[tokio::test]
async fn a_cancellation_reaches_the_lists_the_police_the_card_the_holder_the_agencies_and_nats() {
    each_backend(|app| async move {
        let stream = TestStream::create().await;
        let c = app.card_cast().await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let receiver = Receiver::start(1).await;
        let (subscription, secret) = app
            .subscribe(&receiver.url, &["permit.cancelled", "card.frozen"])
            .await;

        // The state: a permit, its account, a card at the window, a holder.
        let approved = app
            .approve(&c.agent, &c.officer, &new_from_abroad("CH0000001"))
            .await;
        let qr = approved["notice"]["qr"].as_str().unwrap().to_owned();
        let number = approved["permit_number"].as_str().unwrap().to_owned();
        let permit = app
            .get(&format!("/api/v1/permits/{number}"), &c.agent)
            .await
            .body;
        let enrolled = app.enrol(&c, &permit).await;
        assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
        let ssn = enrolled.body["ssn"].as_str().unwrap().to_owned();
        let body = json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" });
        let card = app.post("/api/v1/cards", &c.card, &body).await.body["card_number"]
            .as_str()
            .unwrap()
            .to_owned();
        let issued = json!({ "type": "issued_at_window", "chip_serial": "CHIP0000001",
                             "bank_account": "5555555555554444" });
        assert_eq!(app.card_event(&c, &card, issued).await.status, 200);
        let holder = app.registered_holder(&permit).await;
        app.dispatch().await;
        assert_eq!(offline(&app, &qr).await, Ok(()));
        let check = json!({ "qr": qr, "purpose": "notice", "reason": "residence check" });
        let r = app.post("/api/v1/verifications", &police, &check).await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(true)),
            "{:?}",
            r.body
        );
        if let Some(s) = &stream {
            // What came before the cancellation is out already.
            publish_to_nats(app.store.as_ref(), &s.publisher)
                .await
                .unwrap();
        }
        let published_before = match &stream {
            Some(s) => s.count().await,
            None => 0,
        };

        // Cancelled through the API.
        app.cancel(&c, &number).await;
        // The status list marks the Notice's credential at once (this
        // instance's next list), and the police's online check says so.
        assert_eq!(offline(&app, &qr).await, Err(Rejection::Revoked));
        let r = app.post("/api/v1/verifications", &police, &check).await;
        assert_eq!(
            (r.status, &r.body["valid"], &r.body["reason"]),
            (200, &json!(false), &json!("revoked")),
            "{:?}",
            r.body
        );

        // The contexts react: the account's insurances end, the card freezes.
        let done = app.dispatch().await;
        assert!(done["applied"].as_u64().unwrap() >= 3, "{done}");
        let account = app
            .get(&format!("/api/v1/social-security/accounts/{ssn}"), &c.ss)
            .await
            .body;
        assert_eq!(account["status"], "ended");
        assert_eq!(account["ended"]["reason"], "permit_cancelled");
        for i in account["insurances"].as_array().unwrap() {
            assert_eq!(i["status"], "ended", "{i}");
        }
        let got = app
            .get(&format!("/api/v1/cards/{card}"), &c.card)
            .await
            .body;
        assert_eq!(got["status"], "frozen");
        // The holder is told.
        let kinds: Vec<_> = app.notifications(&holder, "").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_owned())
            .collect();
        assert!(kinds.iter().any(|k| k == "permit_cancelled"), "{kinds:?}");

        // The agency's receiver: the first attempt fails (500) and is retried.
        let r = app
            .post("/api/v1/admin/deliver-webhooks", &app.admin, &json!(null))
            .await;
        assert_eq!(r.body["retried"], 1, "{:?}", r.body);
        assert_eq!(r.body["delivered"], 1, "{:?}", r.body);
        let retry_at = Utc::now() + chrono::Duration::seconds(10);
        let sent = zhengka_server::jobs::deliver_webhooks(
            app.store.as_ref(),
            crate::webhooks::webhooks(),
            retry_at,
        )
        .await
        .unwrap();
        assert_eq!(sent.delivered, 1);
        let mut kinds: Vec<_> = receiver
            .verified(&secret, None)
            .into_iter()
            .map(|(kind, event)| {
                assert!(
                    !event.to_string().contains("CH0000001"),
                    "no passport number"
                );
                assert!(!event.to_string().contains(&ssn), "no SSN");
                kind
            })
            .collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, ["card.frozen", "permit.cancelled"]);
        let delivered = app
            .webhook_deliveries(&subscription, "?status=delivered")
            .await;
        assert_eq!(delivered["items"].as_array().unwrap().len(), 2);

        // NATS has them too.
        let Some(stream) = stream else {
            return;
        };
        let p = publish_to_nats(app.store.as_ref(), &stream.publisher)
            .await
            .unwrap();
        assert!(p.published >= 3, "{p:?}");
        let messages = stream.messages().await;
        let after: Vec<_> = messages
            .iter()
            .skip(usize::try_from(published_before).unwrap())
            .map(|(subject, _, event)| {
                (subject.clone(), event["type"].as_str().unwrap().to_owned())
            })
            .collect();
        for kind in ["permit.cancelled", "card.frozen", "insurance.ended"] {
            assert!(
                after.iter().any(|(s, k)| k == kind && s.ends_with(kind)),
                "{kind}: {after:?}"
            );
        }
        stream.delete().await;
    })
    .await;
}
