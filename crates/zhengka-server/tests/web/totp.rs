//! Sign-in on the page for staff who switched TOTP on: the code is asked
//! for, and a fresh one lets them in.

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengka_server::auth::totp;

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
