//! What the pages promise at the HTTP level, without a browser: security
//! headers, cookie flags, CSRF on every form, language choice.

use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use crate::server::{AGENT, PASSWORD, Server};

pub fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// (CSRF token, pre-session cookie) from the sign-in page.
async fn sign_in_form(s: &Server, c: &Client) -> (String, String) {
    let r = c.get(s.url("/web/sign-in")).send().await.unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let html = r.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    (csrf, cookie)
}

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let s = Server::spawn().await;
    let r = client().get(s.url("/web/sign-in")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"));
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "inline"
    );
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_secure_behind_tls() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let (csrf, pre) = sign_in_form(&s, &c).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("username", AGENT),
        ("password", PASSWORD),
    ];
    let r = c
        .post(s.url("/web/sign-in"))
        .header("cookie", &pre)
        .header("x-forwarded-proto", "https")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("zk_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(session.contains(flag), "{session} lacks {flag}");
    }
    let cookie = session.split(';').next().unwrap().to_owned();
    let r = c
        .get(s.url("/web/applications"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // The API does not take the cookie: no ambient authority there.
    let r = c
        .get(s.url("/api/v1/users/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_form_post_without_the_csrf_token_is_refused() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let (csrf, pre) = sign_in_form(&s, &c).await;
    let r = c
        .post(s.url("/web/sign-in"))
        .header("cookie", &pre)
        .form(&[("username", AGENT), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "sign-in without token");
    let r = c
        .post(s.url("/web/sign-in"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", AGENT),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "token without its cookie"
    );
    let r = c
        .post(s.url("/web/sign-in"))
        .header("cookie", &pre)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", AGENT),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let session = r.headers()["set-cookie"].to_str().unwrap();
    let session = session.split(';').next().unwrap().to_owned();
    let posts = [
        "/web/sign-out",
        "/web/applications/new",
        "/web/applications/preview",
        "/web/applications/x/edit",
        "/web/applications/x/submit",
        "/web/applications/x/decisions",
        "/web/admin/employers",
        "/web/admin/users",
        "/web/verify",
        "/web/permits/x/entry",
        "/web/permits/x/onsite",
        "/web/social-security/enrol",
        "/web/social-security/accounts/search",
        "/web/cards/new",
        "/web/cards/search",
        "/web/cards/window",
        "/web/cards/x/events",
        "/web/card-batches",
        "/web/card-batches/x/result",
    ];
    for path in posts {
        for token in ["", csrf.as_str()] {
            let r = c
                .post(s.url(path))
                .header("cookie", &session)
                .form(&[("csrf", token), ("kind", "new_from_abroad")])
                .send()
                .await
                .unwrap();
            // The pre-session token is not the session's token either.
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path} with {token:?}");
        }
    }
}

#[tokio::test]
async fn language_follows_the_switch_then_accept_language() {
    let s = Server::spawn().await;
    let c = client();
    let get = |lang: &'static str, cookie: Option<&'static str>| {
        let mut r = c.get(s.url("/web/sign-in")).header("accept-language", lang);
        if let Some(cookie) = cookie {
            r = r.header("cookie", cookie);
        }
        r.send()
    };
    let html = get("en-GB,en;q=0.9", None)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    let html = get("zh-CN,zh;q=0.9", None)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    let html = get("en", Some("zk_lang=zh-CN"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"));
    let r = c
        .get(s.url("/web/lang/en?next=/web/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/web/sign-in");
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .starts_with("zk_lang=en;")
    );
    let r = c
        .get(s.url("/web/lang/en?next=//evil.example/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/web/", "no open redirect");
}

#[tokio::test]
async fn pages_need_a_session_and_the_right_role() {
    let s = Server::spawn().await;
    let c = client();
    let r = c.get(s.url("/web/applications")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The page asked for is remembered for after the sign-in.
    assert_eq!(
        r.headers()["location"],
        "/web/sign-in?next=/web/applications"
    );
    let r = c.get(s.url("/web/static/app.css")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.get(s.url("/web/static/nope.js")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Sign in through the form; returns the session cookie.
pub async fn signed_in(s: &Server, c: &Client, username: &str) -> String {
    let (csrf, pre) = sign_in_form(s, c).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("username", username),
        ("password", PASSWORD),
    ];
    let r = c
        .post(s.url("/web/sign-in"))
        .header("cookie", &pre)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn every_kind_has_a_form_with_a_label_for_each_input() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let cookie = signed_in(&s, &c, AGENT).await;
    for kind in zhengka_domain::permits::application::ApplicationKind::ALL {
        let path = format!("/web/applications/new?kind={}", kind.as_str());
        let r = c
            .get(s.url(&path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        for id in html
            .split(" id=\"f-")
            .skip(1)
            .filter_map(|r| r.split('"').next())
        {
            let input = format!("<input id=\"f-{id}\"");
            let labelled = html.contains(&format!("for=\"f-{id}\""));
            assert!(
                !html.contains(&input) || labelled,
                "{path}: f-{id} has no label"
            );
        }
    }
}

#[tokio::test]
async fn a_short_term_application_is_filed_through_the_form() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let cookie = signed_in(&s, &c, AGENT).await;
    let page = c
        .get(s.url("/web/applications/new?kind=short_term"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("scoring."), "short-term work is not scored");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let start = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    let end = (chrono::Utc::now().date_naive() + chrono::Days::new(40)).to_string();
    let form = [
        ("csrf", csrf),
        ("kind", "short_term"),
        ("foreigner.name", "MARIA SILVA"),
        ("foreigner.nationality", "BRA"),
        ("foreigner.sex", "female"),
        ("foreigner.date_of_birth", "1990-03-04"),
        ("foreigner.passport_number", "FP1234567"),
        ("position", "Choreographer"),
        ("contract.start_date", &start),
        ("contract.end_date", &end),
        ("contract.annual_salary_cny", "120000"),
        ("contract.work_location_region", "440106"),
        ("short_term.situation", "commercial_performance"),
        ("short_term.no_criminal_record_pledge", "on"),
    ];
    let r = c
        .post(s.url("/web/applications/new"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r.headers().get("location").cloned();
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    let location = location.unwrap();
    assert!(location.to_str().unwrap().starts_with("/web/applications/"));
}
