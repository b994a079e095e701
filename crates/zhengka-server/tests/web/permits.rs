//! The entry-date and on-site check forms on the application's page: who
//! sees and may post which, CSRF, and the domain's errors at the fields.

use chrono::{Days, Utc};
use reqwest::{Client, StatusCode};

use crate::http::{client, signed_in};
use crate::server::{AGENT, OFFICER, POLICE, Server};

async fn page(s: &Server, c: &Client, cookie: &str, id: &str) -> (String, String) {
    let r = c.get(s.url(&format!("/web/applications/{id}")));
    let html = r.header("cookie", cookie).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    let html = html.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    (html, csrf)
}

async fn post(
    s: &Server,
    c: &Client,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = c
        .post(s.url(path))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or(r.text().await.unwrap()))
}

#[tokio::test]
async fn entry_and_onsite_forms_check_role_token_and_rules() {
    let s = Server::spawn().await;
    s.cast().await;
    let approved = s.approved_from_abroad("FP1111111").await;
    let id = approved["id"].as_str().unwrap();
    let number = approved["permit_number"].as_str().unwrap();
    s.backdate_approval(number, 1).await;
    let entry = format!("/web/permits/{number}/entry");
    let onsite = format!("/web/permits/{number}/onsite");
    let c = client();
    let agent = signed_in(&s, &c, AGENT).await;
    let officer = signed_in(&s, &c, OFFICER).await;
    let police = signed_in(&s, &c, POLICE).await;

    let (html, agent_csrf) = page(&s, &c, &agent, id).await;
    assert!(html.contains("id=\"entry-form\"") && !html.contains("id=\"onsite-form\""));
    assert!(html.contains("data-state=\"awaiting_entry\""));
    assert!(
        html.contains("<svg ") && !html.contains(" style="),
        "Notice QR, no inline style"
    );
    let (html, officer_csrf) = page(&s, &c, &officer, id).await;
    assert!(html.contains("id=\"entry-form\"") && html.contains("id=\"onsite-form\""));

    let today = Utc::now().date_naive();
    let yesterday = (today - Days::new(1)).to_string();
    let tomorrow = (today + Days::new(1)).to_string();
    // No token, another session's token, the wrong role.
    for (cookie, token, path) in [
        (&agent, "", &entry),
        (&agent, officer_csrf.as_str(), &entry),
        (&officer, "", &onsite),
        (&officer, agent_csrf.as_str(), &onsite),
    ] {
        let form = [("csrf", token), ("entry.entry_date", yesterday.as_str())];
        let (status, _) = post(&s, &c, cookie, path, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} with {token:?}");
    }
    let (status, _) = post(&s, &c, &agent, &onsite, &[("csrf", &agent_csrf)]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "agents do not check originals"
    );
    let police_csrf = {
        let r = c.get(s.url("/web/verify")).header("cookie", &police);
        let html = r.send().await.unwrap().text().await.unwrap();
        html.split("name=\"csrf\" value=\"").nth(1).unwrap()[..64].to_owned()
    };
    let form = [
        ("csrf", police_csrf.as_str()),
        ("entry.entry_date", yesterday.as_str()),
    ];
    let (status, _) = post(&s, &c, &police, &entry, &form).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the police do not record entry"
    );

    // The employer records the entry; a future date is refused at the field.
    let form = [
        ("csrf", agent_csrf.as_str()),
        ("entry.entry_date", tomorrow.as_str()),
    ];
    let (status, html) = post(&s, &c, &agent, &entry, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"f-entry-entry_date-error\""), "{html}");
    assert!(
        html.contains("href=\"#f-entry-entry_date\""),
        "summary links the field"
    );
    assert!(
        html.contains(&format!("value=\"{tomorrow}\"")),
        "input kept"
    );
    let form = [
        ("csrf", agent_csrf.as_str()),
        ("entry.entry_date", yesterday.as_str()),
    ];
    let (status, location) = post(&s, &c, &agent, &entry, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/web/applications/{id}?done=entry_recorded#permit")
    );
    let (html, _) = page(&s, &c, &agent, id).await;
    assert!(html.contains("data-state=\"due\"") && !html.contains("id=\"entry-form\""));

    // The officer checks originals: missing materials, then all of them.
    let old = (today - Days::new(300)).to_string();
    let mut form = vec![
        ("csrf", officer_csrf.as_str()),
        ("onsite.entry_date", yesterday.as_str()),
        ("onsite.visa_number", "Z1234567"),
        ("onsite.medical_report_issued_on", old.as_str()),
        ("onsite.materials_checked", "medical_report"),
    ];
    let (status, html) = post(&s, &c, &officer, &onsite, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-onsite-medical_report_issued_on-error\""),
        "{html}"
    );
    assert!(html.contains("value=\"Z1234567\""), "input kept");
    assert!(
        html.contains("value=\"medical_report\" checked"),
        "ticks kept"
    );
    let recent = (today - Days::new(20)).to_string();
    form[3].1 = &recent;
    let (status, html) = post(&s, &c, &officer, &onsite, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-onsite-materials_checked-error\""),
        "{html}"
    );
    form.push(("onsite.materials_checked", "visa_or_residence_permit_copy"));
    let (status, _) = post(&s, &c, &officer, &onsite, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (html, _) = page(&s, &c, &officer, id).await;
    assert!(html.contains("data-state=\"done\"") && html.contains("id=\"onsite-decision\""));
    assert!(!html.contains("id=\"onsite-form\""));
}
