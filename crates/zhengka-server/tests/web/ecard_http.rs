//! The holder pages over plain HTTP: the public forms set their own CSRF
//! secret and refuse posts without it, a pasted Notice QR identifies the
//! permit, mismatched passwords are caught before any attempt is counted,
//! the real-person page says "try again in a moment" (with the expiry) when
//! no provider answers, and the e-card pages are for holders only.

use base64::Engine;
use reqwest::{Client, StatusCode};

use crate::card_pages::{csrf_of, get, post};
use crate::http::{client, signed_in};
use crate::server::{AGENT, Server};

const NAME: &str = "MARIA SILVA";
const PASSWORD: &str = "holder password 1234";

/// The public registration form: (pre-session cookie, CSRF token).
async fn form(s: &Server, c: &Client) -> (String, String) {
    let r = c.get(s.url("/web/ecard/register")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    assert!(cookie.starts_with("zk_pre="), "{cookie}");
    let csrf = csrf_of(&r.text().await.unwrap());
    (cookie, csrf)
}

/// The real-person form posted as multipart, with a JPEG header as `image`.
async fn selfie(
    s: &Server,
    c: &Client,
    path: &str,
    cookie: &str,
    csrf: &str,
) -> (StatusCode, String) {
    selfie_of(s, c, path, cookie, csrf, "test").await
}

/// The same, the image ending in `case` (the fake provider's answer).
async fn selfie_of(
    s: &Server,
    c: &Client,
    path: &str,
    cookie: &str,
    csrf: &str,
    case: &str,
) -> (StatusCode, String) {
    let boundary = "----zhengkaSelfie";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"me.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
    )
    .into_bytes();
    // The fake provider's own probe image, as bytes.
    let image = base64::engine::general_purpose::STANDARD
        .decode(crate::fake_provider::probe(case))
        .unwrap();
    body.extend_from_slice(&image);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = c
        .post(s.url(path))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn registration_over_http_with_a_pasted_notice_qr_and_no_provider() {
    let s = Server::spawn_without_provider().await;
    s.cast().await;
    let approved = s.approved_from_abroad("EH3333333").await;
    let qr = s.notice_qr(approved["id"].as_str().unwrap()).await;
    let c = client();
    let (cookie, csrf) = form(&s, &c).await;
    let fields = |token: &'static str| {
        move |pw2: &'static str| {
            vec![
                ("csrf", token),
                ("name", NAME),
                ("id_kind", "notice_qr"),
                ("password", PASSWORD),
                ("password2", pw2),
            ]
        }
    };
    // No token: refused before anything is looked at.
    let mut no_token = fields("")(PASSWORD);
    no_token.push(("notice_qr", &qr));
    let (status, _) = post(&s, &c, &cookie, "/web/ecard/register", &no_token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf: &'static str = Box::leak(csrf.into_boxed_str());
    // Two different passwords: said at the second, neither sent back.
    let mut slip = fields(csrf)("another password 1234");
    slip.push(("notice_qr", &qr));
    let (status, html) = post(&s, &c, &cookie, "/web/ecard/register", &slip).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"f-password2-error\""), "{html}");
    assert!(!html.contains(PASSWORD), "no password in the page");
    // (Escaped as HTML: its first characters are enough to recognise.)
    assert!(html.contains(&qr[..8]), "the QR typed is kept");
    let mut ok = fields(csrf)(PASSWORD);
    ok.push(("notice_qr", &qr));
    let (status, location) = post(&s, &c, &cookie, "/web/ecard/register", &ok).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.ends_with("/real-person"), "{location}");

    let (status, html) = get(&s, &c, &cookie, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"expires\""));
    assert!(!html.contains("id=\"demo-real-person\""), "no demo here");
    let (status, _) = selfie(&s, &c, &location, &cookie, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the token is checked");
    // No provider: try again in a moment, the registration still open.
    let (status, html) = selfie(&s, &c, &location, &cookie, csrf).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("data-outcome=\"unavailable\""), "{html}");
    assert!(html.contains("id=\"expires\"") && html.contains("id=\"selfie-form\""));
    let unknown = "/web/ecard/register/00000000-0000-0000-0000-000000000000/real-person";
    assert_eq!(get(&s, &c, &cookie, unknown).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_ecard_pages_are_for_holders() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let (status, location) = get(&s, &c, "", "/web/ecard").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/web/sign-in?next=/web/ecard")
    );
    let agent = signed_in(&s, &c, AGENT).await;
    let (_, html) = get(&s, &c, &agent, "/web/applications").await;
    let csrf = csrf_of(&html);
    assert_eq!(
        get(&s, &c, &agent, "/web/ecard").await.0,
        StatusCode::FORBIDDEN
    );
    let notice = "/web/ecard/notices/00000000-0000-0000-0000-000000000000.pdf";
    assert_eq!(get(&s, &c, &agent, notice).await.0, StatusCode::FORBIDDEN);
    for path in [
        "/web/ecard/card/lost",
        "/web/ecard/card/replace",
        "/web/ecard/close",
    ] {
        let form = [("csrf", csrf.as_str()), ("lost.confirm", "yes")];
        assert_eq!(
            post(&s, &c, &agent, path, &form).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let form = [("csrf", ""), ("lost.confirm", "yes")];
        assert_eq!(
            post(&s, &c, &agent, path, &form).await.0,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The sign-in page leads holders to registration and reset.
    let (_, html) = get(&s, &c, "", "/web/sign-in").await;
    assert!(
        html.contains("href=\"/web/ecard/register\"") && html.contains("href=\"/web/ecard/reset\"")
    );
}

#[tokio::test]
async fn a_failed_check_is_retried_on_the_same_page() {
    let s = Server::spawn_fake_provider().await;
    s.cast().await;
    let approved = s.approved_from_abroad("EH5555555").await;
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    let c = client();
    let (cookie, csrf) = form(&s, &c).await;
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", NAME),
        ("id_kind", "permit_number"),
        ("permit_number", number.as_str()),
        ("password", PASSWORD),
        ("password2", PASSWORD),
    ];
    let (status, location) = post(&s, &c, &cookie, "/web/ecard/register", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (status, html) = selfie_of(&s, &c, &location, &cookie, &csrf, "stranger").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("data-outcome=\"fail\"") && html.contains("id=\"selfie-form\""));
    assert!(
        !html.contains("id=\"demo-real-person\""),
        "a real provider: no demo notice"
    );
    let (status, html) = selfie_of(&s, &c, &location, &cookie, &csrf, "pass").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-outcome=\"pass\"") && !html.contains("id=\"selfie-form\""));
    // Used: a second photo finds the registration closed.
    let (status, html) = selfie_of(&s, &c, &location, &cookie, &csrf, "pass").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("data-outcome=\"closed\""), "{html}");

    // The password reset: the same form with a new password, a fresh photo.
    let (reset_cookie, reset_csrf) = form(&s, &c).await;
    let new_password = "a brand new password 99";
    let fields = [
        ("csrf", reset_csrf.as_str()),
        ("name", NAME),
        ("id_kind", "permit_number"),
        ("permit_number", number.as_str()),
        ("password", new_password),
        ("password2", new_password),
    ];
    let (status, location) = post(&s, &c, &reset_cookie, "/web/ecard/reset", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let (_, html) = selfie_of(&s, &c, &location, &reset_cookie, &reset_csrf, "pass").await;
    assert!(html.contains("data-outcome=\"reset\""), "{html}");
    let form = [
        ("csrf", reset_csrf.as_str()),
        ("username", number.as_str()),
        ("password", new_password),
    ];
    let r = c
        .post(s.url("/web/sign-in"))
        .header("cookie", &reset_cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "signed in with the new password"
    );
    let session = r.headers()["set-cookie"].to_str().unwrap();
    let session = session.split(';').next().unwrap();
    assert_eq!(get(&s, &c, session, "/web/").await.1, "/web/ecard");
    assert_eq!(get(&s, &c, session, "/web/ecard").await.0, StatusCode::OK);
}
