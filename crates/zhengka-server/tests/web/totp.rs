//! Sign-in on the page for staff who switched TOTP on: the code is asked
//! for, and a fresh one lets them in.

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengka_server::auth::totp;
use zhengka_store::prelude::*;

use crate::http::client;
use crate::server::{OFFICER, PASSWORD, Server};

fn secret_of(body: &Value) -> Vec<u8> {
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
async fn enrolled_staff_sign_in_with_a_code() {
    let s = Server::spawn().await;
    s.cast().await;
    let enrol = s
        .api_as("/api/v1/users/me/totp", OFFICER, json!(null))
        .await;
    let secret = secret_of(&enrol);
    let step = totp::step_at(Utc::now().timestamp());
    let previous = format!("{:06}", totp::code(&secret, step - 1));
    let confirm = json!({ "code": previous });
    s.api_as("/api/v1/users/me/totp/confirm", OFFICER, confirm)
        .await;

    let c = client();
    let r = c.get(s.url("/web/sign-in")).send().await.unwrap();
    let pre = r.headers()["set-cookie"].to_str().unwrap();
    let pre = pre.split(';').next().unwrap().to_owned();
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("id=\"f-totp\""),
        "not asked before it is needed"
    );
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let sign_in = |code: &'static str, now: String| {
        let code = if code.is_empty() {
            now
        } else {
            code.to_owned()
        };
        let form = [
            ("csrf", csrf.clone()),
            ("username", OFFICER.to_owned()),
            ("password", PASSWORD.to_owned()),
            ("totp", code),
        ];
        c.post(s.url("/web/sign-in"))
            .header("cookie", &pre)
            .header("accept-language", "en")
            .form(&form)
            .send()
    };
    let r = sign_in("", String::new()).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"f-totp\""), "the code is asked for");
    assert!(html.contains("autocomplete=\"one-time-code\""));
    let r = sign_in("000000", String::new()).await.unwrap();
    let now = format!("{:06}", totp::code(&secret, step));
    if now != "000000" {
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "a wrong code");
        assert!(r.text().await.unwrap().contains("id=\"f-totp\""));
    }
    let r = sign_in("", now).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "a fresh code");
    let session = r.headers()["set-cookie"].to_str().unwrap();
    assert!(session.starts_with("zk_session="), "{session}");
}

/// The secret as the account page shows it (base32), as bytes.
fn decode_shown(shown: &str) -> Vec<u8> {
    secret_of(&json!({ "secret": shown.trim() }))
}

#[tokio::test]
async fn staff_switch_codes_on_with_the_qr_and_off_again_on_their_account_page() {
    let Some(b) = crate::browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let lang = "zh-CN";
    b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/sign-in")))
        .await;
    b.sign_in(&s.base, OFFICER).await;
    b.go("#account-link").await;
    assert_eq!(b.attr("#totp-state", "data-state").await, "off");
    b.axe("account, codes off").await;
    b.go("#totp-start button").await;
    assert!(b.exists("#totp-qr svg").await, "a QR for the app");
    let secret = decode_shown(&b.text("#totp-secret").await);
    b.axe("account, scan the QR").await;
    b.resize(390, 844).await;
    b.axe("account, scan the QR, 390 px").await;
    b.resize(1280, 900).await;
    b.fill("#f-code", "12345").await;
    b.go("#totp-confirm button").await;
    assert_eq!(
        b.text("#f-code-error").await,
        crate::browser::text(lang, "error.wrong_code")
    );
    // At least 10 s before the step ends, so the codes stay good meanwhile.
    let mut now = Utc::now().timestamp();
    if 30 - now % 30 < 10 {
        tokio::time::sleep(std::time::Duration::from_secs((30 - now % 30) as u64 + 1)).await;
        now = Utc::now().timestamp();
    }
    let step = totp::step_at(now);
    let code = |s: i64| format!("{:06}", totp::code(&secret, s));
    b.fill("#f-code", &code(step - 1)).await;
    b.go("#totp-confirm button").await;
    assert_eq!(
        b.text("#flash").await,
        crate::browser::text(lang, "done.totp_on")
    );
    assert_eq!(b.attr("#totp-state", "data-state").await, "on");
    b.axe("account, codes on").await;
    // Off again, with a code newer than the one that switched it on.
    b.fill("#f-code", &code(step)).await;
    b.go("#totp-off button").await;
    assert_eq!(b.attr("#totp-state", "data-state").await, "off");
    assert_eq!(
        b.text("#flash").await,
        crate::browser::text(lang, "done.totp_off")
    );
    let events = s
        .store
        .audit_events(&zhengka_store::AuditFilter {
            action: Some("user.totp_disabled".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "the audit trail says so");
    b.finish().await;
}
