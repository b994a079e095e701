//! Staff two-factor sign-in with TOTP.

use chrono::Utc;
use serde_json::json;
use zhengka_server::auth::totp;

use crate::helpers::*;

pub fn secret_of(body: &serde_json::Value) -> Vec<u8> {
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

/// Now, at least 10 s before the next 30-second step begins (waiting for it
/// if need be), so that codes computed from it stay what the server expects
/// while a slow machine runs the next few requests.
pub async fn step_start_time() -> i64 {
    let now = Utc::now().timestamp();
    let left = 30 - now % 30;
    if left < 10 {
        tokio::time::sleep(std::time::Duration::from_secs(left as u64 + 1)).await;
        return Utc::now().timestamp();
    }
    now
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
        let wrong = app
            .post(
                "/api/v1/users/me/totp/confirm",
                &officer,
                &json!({ "code": "000000" }),
            )
            .await;
        let now = step_start_time().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enrolment_racing_a_confirmation_never_switches_totp_off() {
    each_backend(|app| async move {
        let mut tally = std::collections::BTreeMap::<(u16, u16), usize>::new();
        for round in 0..12 {
            let username = format!("racer{round}");
            let token = app
                .user(&username, "permit_officer", None, Some("440000"))
                .await;
            let enrol = app
                .post("/api/v1/users/me/totp", &token, &json!(null))
                .await;
            let secret = secret_of(&enrol.body);
            let code = format!(
                "{:06}",
                totp::code(&secret, totp::step_at(Utc::now().timestamp()))
            );
            let (code, null) = (json!({ "code": code }), json!(null));
            let (confirm, again) = tokio::join!(
                app.post("/api/v1/users/me/totp/confirm", &token, &code),
                app.post("/api/v1/users/me/totp", &token, &null)
            );
            *tally.entry((confirm.status, again.status)).or_default() += 1;
            let creds = json!({ "username": username, "password": PASSWORD });
            let without_code = app.post("/api/v1/sessions", "", &creds).await;
            // Whichever wins, the answers match what the account now needs.
            match (confirm.status, again.status) {
                (200, 409) => {
                    assert_eq!(again.error().0, "totp_already_active");
                    assert_eq!(without_code.error().0, "totp_required", "{round}");
                }
                (409 | 422, 201) => assert_eq!(without_code.status, 201, "{round}"),
                other => panic!(
                    "round {round}: both answered {other:?}; sign-in without a code: {}",
                    without_code.status
                ),
            }
        }
        eprintln!("totp race ({}): (confirm, enrol) -> {tally:?}", app.backend);
    })
    .await;
}

#[tokio::test]
async fn a_current_unused_code_switches_totp_off() {
    each_backend(|app| async move {
        let (_, _, officer) = app.cast().await;
        let off = |code: String| json!({ "code": code });
        let path = "/api/v1/users/me/totp/disable";
        let r = app.post(path, &officer, &off("123456".into())).await;
        assert_eq!((r.status, r.error().0), (409, "totp_not_active"));
        let enrol = app
            .post("/api/v1/users/me/totp", &officer, &json!(null))
            .await;
        let secret = secret_of(&enrol.body);
        let step = totp::step_at(step_start_time().await);
        let code_at = |s: i64| format!("{:06}", totp::code(&secret, s));
        let confirm = off(code_at(step - 1));
        let r = app
            .post("/api/v1/users/me/totp/confirm", &officer, &confirm)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let before = app.audit_count().await;
        // The code that switched it on is used: it cannot switch it off.
        let r = app.post(path, &officer, &off(code_at(step - 1))).await;
        assert_eq!(r.error(), ("wrong_code", Some("code")));
        let r = app.post(path, &officer, &json!({})).await;
        assert_eq!(r.error(), ("required", Some("code")));
        assert_eq!(app.audit_count().await, before, "nothing written");
        let r = app.post(path, &officer, &off(code_at(step))).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(app.audit_count().await, before + 1, "one audit event");
        let creds = json!({ "username": "officer.gd", "password": PASSWORD });
        assert_eq!(app.post("/api/v1/sessions", "", &creds).await.status, 201);
        let r = app.post(path, &officer, &off(code_at(step + 1))).await;
        assert_eq!((r.status, r.error().0), (409, "totp_not_active"));
    })
    .await;
}
