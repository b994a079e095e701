//! Online verification keeps a shared nonce cache: a holder's presentation
//! verifies once per relying party within its window, on any instance; a Notice
//! (no nonce) verifies as often as it is shown.

use chrono::Utc;
use serde_json::{Value, json};
use zhengka_credential::{Algorithm, Issuer, PermitFacts, SigningKey, Validity, present};

use crate::helpers::*;

fn facts() -> PermitFacts {
    PermitFacts {
        permit_number: "440000202600000001".into(),
        holder_name: "MARTIN ANNA MARIA".into(),
        nationality: "DEU".into(),
        date_of_birth: "1990-04-02".into(),
        employer_name: "Pearl River Institute".into(),
        employer_uscc: USCC_A.into(),
        class: "B".into(),
        position: "Research engineer".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2030-12-31".into(),
    }
}

/// A card credential signed by the server's issuer key, and a fresh
/// presentation of it by the holder's device.
fn presentation(app: &TestApp) -> String {
    let issuer = SigningKey::from_pkcs8(Algorithm::Es256, &app.keys.0).unwrap();
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let now = Utc::now().timestamp();
    let validity = Validity {
        iat: now - 60,
        exp: now + 3600,
    };
    let card =
        Issuer::new(issuer, "440000").card(facts(), device.public_key().clone(), validity, None);
    present(&card.cose, &device, now).unwrap().qr
}

async fn verify_at(app: &TestApp, base: &str, token: &str, body: &Value) -> Value {
    let res = app
        .client
        .post(format!("{base}/api/v1/verifications"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_presentation_verifies_once_per_relying_party() {
    each_backend(|app| async move {
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let clinic = app.user("clinic", "relying_party", None, None).await;
        let second = app.another_server().await;
        let body = json!({ "qr": presentation(&app), "purpose": "presentation" });
        let before = app.audit_count().await;
        let first = verify_at(&app, &app.base, &police, &body).await;
        assert_eq!(
            (&first["valid"], &first["kind"]),
            (&json!(true), &json!("card")),
            "{first}"
        );
        assert_eq!(first["permit"]["permit_number"], "440000202600000001");
        let replayed = json!({ "valid": false, "reason": "replayed_or_stale_presentation" });
        // Shown again to the same relying party, on this instance or another: refused.
        assert_eq!(verify_at(&app, &app.base, &police, &body).await, replayed);
        assert_eq!(verify_at(&app, &second, &police, &body).await, replayed);
        // Another relying party has not seen it.
        let other = verify_at(&app, &second, &clinic, &body).await;
        assert_eq!(other["valid"], json!(true), "{other}");
        assert_eq!(verify_at(&app, &app.base, &clinic, &body).await, replayed);
        assert_eq!(
            app.audit_count().await,
            before + 5,
            "every check is recorded"
        );
        // A new presentation of the same card verifies.
        let fresh = json!({ "qr": presentation(&app), "purpose": "presentation" });
        assert_eq!(
            verify_at(&app, &app.base, &police, &fresh).await["valid"],
            json!(true)
        );
    })
    .await;
}

#[tokio::test]
async fn parallel_replays_verify_once() {
    each_backend(|app| async move {
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let second = app.another_server().await;
        let body = json!({ "qr": presentation(&app), "purpose": "presentation" });
        let checks: Vec<_> = (0..8)
            .map(|i| {
                let base = if i % 2 == 0 {
                    app.base.clone()
                } else {
                    second.clone()
                };
                let (client, token, body) = (app.client.clone(), police.clone(), body.clone());
                tokio::spawn(async move {
                    let res = client
                        .post(format!("{base}/api/v1/verifications"))
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    res.json::<Value>().await.unwrap()["valid"] == json!(true)
                })
            })
            .collect();
        let mut valid = 0;
        for c in checks {
            valid += usize::from(c.await.unwrap());
        }
        assert_eq!(valid, 1);
    })
    .await;
}

#[tokio::test]
async fn a_notice_verifies_every_time() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("E77777777"))
            .await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let body = json!({ "qr": approved["notice"]["qr"], "purpose": "notice" });
        for _ in 0..3 {
            let r = verify_at(&app, &app.base, &police, &body).await;
            assert_eq!(r["valid"], json!(true), "{r}");
        }
    })
    .await;
}
