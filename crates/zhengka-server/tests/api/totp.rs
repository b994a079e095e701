//! Staff two-factor sign-in with TOTP.

use chrono::Utc;
use serde_json::json;
use zhengka_server::auth::totp;

use crate::helpers::*;

fn secret_of(body: &serde_json::Value) -> Vec<u8> {
    // Decode the base32 secret the way an authenticator app would.
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buf, mut bits, mut out) = (0u32, 0, vec![]);
    for c in body["secret"].as_str().unwrap().chars() {
        buf = (buf << 5) | alphabet.find(c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn enrolled_staff_need_a_fresh_code_to_sign_in() {
    each_backend(|app| async move {
        let (_, _, officer) = app.cast().await;
        let enrol = app
            .post("/api/v1/users/me/totp", &officer, &json!(null))
            .await;
        assert_eq!(enrol.status, 201, "{:?}", enrol.body);
        assert!(
            enrol.body["otpauth_uri"]
                .as_str()
                .unwrap()
                .starts_with("otpauth://totp/")
        );
        let secret = secret_of(&enrol.body);
        let now = Utc::now().timestamp();
        let wrong = app
            .post(
                "/api/v1/users/me/totp/confirm",
                &officer,
                &json!({ "code": "000000" }),
            )
            .await;
        let right_code = format!("{:06}", totp::code(&secret, totp::step_at(now)));
        if right_code != "000000" {
            assert_eq!(wrong.error(), ("wrong_code", Some("code")));
        }
        // Still optional until confirmed.
        app.login("officer.gd").await;
        let previous = format!("{:06}", totp::code(&secret, totp::step_at(now) - 1));
        let ok = app
            .post(
                "/api/v1/users/me/totp/confirm",
                &officer,
                &json!({ "code": previous }),
            )
            .await;
        assert_eq!(ok.status, 200, "{:?}", ok.body);
        let creds = json!({ "username": "officer.gd", "password": PASSWORD });
        let r = app.post("/api/v1/sessions", "", &creds).await;
        assert_eq!((r.status, r.error().0), (401, "totp_required"));
        let with = json!({ "username": "officer.gd", "password": PASSWORD, "totp": right_code });
        assert_eq!(app.post("/api/v1/sessions", "", &with).await.status, 201);
        let replay = app.post("/api/v1/sessions", "", &with).await;
        assert_eq!(
            (replay.status, replay.error().0),
            (401, "invalid_credentials"),
            "a code works once"
        );
        let again = app
            .post("/api/v1/users/me/totp", &officer, &json!(null))
            .await;
        assert_eq!(
            (again.status, again.error().0),
            (409, "totp_already_active")
        );
    })
    .await;
}
