//! The verifier page over plain HTTP: who may use it, CSRF, the reason the
//! police must give, what each role sees, and the audit event it leaves.

use reqwest::{Client, StatusCode};
use zhengka_store::{AuditFilter, Store};

use crate::http::{client, signed_in};
use crate::server::{AGENT, POLICE, RELYING, Server};

/// The page's CSRF token.
async fn csrf(s: &Server, c: &Client, cookie: &str) -> String {
    let r = c.get(s.url("/web/verify")).header("cookie", cookie);
    let html = r.send().await.unwrap().text().await.unwrap();
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned()
}

async fn post(s: &Server, c: &Client, cookie: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = c
        .post(s.url("/web/verify"))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn only_verifiers_open_the_page_and_every_post_needs_the_token() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let agent = signed_in(&s, &c, AGENT).await;
    let r = c.get(s.url("/web/verify")).header("cookie", &agent);
    assert_eq!(r.send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let token = csrf(&s, &c, &signed_in(&s, &c, POLICE).await).await;
    let police = signed_in(&s, &c, POLICE).await;
    let own = csrf(&s, &c, &police).await;
    let (status, _) = post(&s, &c, &agent, &[("csrf", &own), ("qr", "ZK1:X")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another session's token");
    for bad in ["", token.as_str()] {
        let (status, _) = post(&s, &c, &police, &[("csrf", bad), ("qr", "ZK1:X")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "token {bad:?}");
    }
    let r = c.get(s.url("/web/")).header("cookie", &police);
    let r = r.send().await.unwrap();
    assert_eq!(
        r.headers()["location"],
        "/web/verify",
        "the police start page"
    );
    let r = c
        .get(s.url("/web/static/vendor/jsQR.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.get(s.url("/web/static/vendor/jsQR.LICENSE")).send().await;
    assert!(r.unwrap().text().await.unwrap().contains("Apache License"));
}

#[tokio::test]
async fn the_police_give_a_reason_and_relying_parties_see_less() {
    let s = Server::spawn().await;
    s.cast().await;
    let approved = s.approved_from_abroad("FP7654321").await;
    let id = approved["id"].as_str().unwrap();
    let number = approved["permit_number"].as_str().unwrap();
    let qr = s.notice_qr(id).await;
    let c = client();

    let police = signed_in(&s, &c, POLICE).await;
    let t = csrf(&s, &c, &police).await;
    // The police state a purpose of their own (residence_permit first).
    let form = [
        ("csrf", t.as_str()),
        ("qr", qr.as_str()),
        ("purpose", "residence_permit"),
    ];
    let (status, html) = post(&s, &c, &police, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"f-reason-error\""), "reason required");
    assert!(html.contains("aria-describedby=\"f-reason-hint f-reason-error\""));
    let form = [
        ("csrf", t.as_str()),
        ("qr", qr.as_str()),
        ("purpose", "residence_permit"),
        ("reason", "workplace_inspection"),
        ("note", "case 42"),
    ];
    let (status, html) = post(&s, &c, &police, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-verdict=\"valid\""), "{html}");
    assert!(html.contains(&format!("<dd id=\"v-permit_number\">{number}</dd>")));
    assert!(!html.contains(" style="), "no inline style");

    let relying = signed_in(&s, &c, RELYING).await;
    let t = csrf(&s, &c, &relying).await;
    let form = [
        ("csrf", t.as_str()),
        ("qr", qr.as_str()),
        ("purpose", "notice"),
    ];
    let (status, html) = post(&s, &c, &relying, &form).await;
    assert_eq!(status, StatusCode::OK, "no reason needed");
    assert!(html.contains("data-verdict=\"valid\""));
    assert!(html.contains("id=\"v-holder_name\">MARIA SILVA<"));
    assert!(!html.contains("v-permit_number") && !html.contains("v-date_of_birth"));
    let form = [
        ("csrf", t.as_str()),
        ("qr", "ZK1:NOT-A-CODE"),
        ("purpose", "notice"),
    ];
    let (_, html) = post(&s, &c, &relying, &form).await;
    assert!(html.contains("data-verdict=\"malformed\""));
    let form = [
        ("csrf", t.as_str()),
        ("qr", qr.as_str()),
        ("purpose", "presentation"),
    ];
    let (_, html) = post(&s, &c, &relying, &form).await;
    assert!(html.contains("data-verdict=\"wrong_kind_for_purpose\""));

    let filter = AuditFilter {
        action: Some("credential.verified".into()),
        limit: 10,
        ..AuditFilter::default()
    };
    let events = s.store.audit_events(&filter).await.unwrap();
    assert_eq!(
        events.len(),
        4,
        "one event per verdict, none for a refused form"
    );
    let first = &events[0];
    assert_eq!(first.entity_id, number);
    assert_eq!(first.details["reason"], "workplace_inspection: case 42");
    assert_eq!(first.details["valid"], true);
}
