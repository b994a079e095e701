//! The cut-over list (officers see their region's moved applications) and the
//! admin's confirmed button that runs the cut-over.

use chrono::{Days, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::{self, text};
use crate::http::{client, signed_in};
use crate::server::{AGENT, OFFICER, PASSWORD, Server};

fn form(name: &str, passport: &str, region: &str) -> Value {
    let start = Utc::now().date_naive() + Days::new(20);
    json!({
        "kind": "new_from_abroad",
        "foreigner": { "name": name, "nationality": "BRA", "sex": "female",
                       "date_of_birth": "1980-03-04", "passport_number": passport },
        "position": "Engineer",
        "contract": { "start_date": start, "end_date": start + Days::new(729),
                      "annual_salary_cny": 300000, "work_location_region": region },
        "scoring": { "education": "doctorate", "related_experience_years": 10,
                     "months_per_year_in_china": 12, "chinese_language": "hsk3" }
    })
}

/// One submitted application in Guangdong (the cast's), one in Zhejiang.
async fn two_submitted(s: &Server) {
    s.cast().await;
    let uscc = zhengka_domain::ids::Uscc::with_check_character("91330100MA28ABCDE").unwrap();
    let zj = json!({ "uscc": uscc.to_string(), "name": "Hangzhou Works",
                     "region_code": "330106", "address": "2 Test Road" });
    let e = s.api_as("/api/v1/employers", "admin", zj).await;
    let user = json!({ "username": "hr@hz", "password": PASSWORD, "role": "employer_agent",
                       "employer_id": e["id"] });
    s.api_as("/api/v1/users", "admin", user).await;
    for (agent, f) in [
        (AGENT, form("ANA GUANGDONG", "CO1111111", "440106")),
        ("hr@hz", form("ZOE ZHEJIANG", "CO2222222", "330106")),
    ] {
        let a = s.api_as("/api/v1/applications", agent, f).await;
        let path = format!("/api/v1/applications/{}/submit", a["id"].as_str().unwrap());
        s.api_as(&path, agent, json!({})).await;
    }
}

#[tokio::test]
async fn officers_see_their_region_and_only_the_admin_runs_it_confirmed() {
    let s = Server::spawn().await;
    two_submitted(&s).await;
    let c = client();
    let officer = signed_in(&s, &c, OFFICER).await;
    let admin = signed_in(&s, &c, "admin").await;
    let get = |cookie: String, path: &'static str| {
        let c = c.clone();
        let url = s.url(path);
        async move {
            let r = c
                .get(url)
                .header("cookie", cookie)
                .header("accept-language", "en")
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (status, html) = get(officer.clone(), "/web/cut-over").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"cut-over-empty\"") && !html.contains("cut-over-form"));
    let (_, html) = get(admin.clone(), "/web/cut-over").await;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    assert!(html.contains("id=\"cut-over-form\""));

    let post = |cookie: &str, fields: Vec<(&'static str, String)>| {
        c.post(s.url("/web/admin/cut-over"))
            .header("cookie", cookie)
            .header("accept-language", "en")
            .form(&fields)
            .send()
    };
    let r = post(&admin, vec![("csrf", csrf.clone())]).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "not confirmed"
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains(&text("en", "error.confirm_required"))
    );
    let r = post(&admin, vec![("confirm", "yes".into())]).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let (_, officer_page) = get(officer.clone(), "/web/cut-over").await;
    let officer_csrf = officer_page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let r = post(
        &officer,
        vec![("csrf", officer_csrf), ("confirm", "yes".into())],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "officers do not run it");

    let confirmed = vec![("csrf", csrf.clone()), ("confirm", "yes".into())];
    let r = post(&admin, confirmed.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/web/cut-over?moved=2");
    let r = post(&admin, confirmed).await.unwrap();
    assert_eq!(
        r.headers()["location"],
        "/web/cut-over?moved=0",
        "once only"
    );

    let (_, html) = get(officer, "/web/cut-over").await;
    assert!(html.contains("ANA GUANGDONG") && !html.contains("ZOE ZHEJIANG"));
    assert!(
        html.contains(&text("en", "status.submitted")),
        "the status before"
    );
    let (_, html) = get(admin, "/web/cut-over").await;
    assert!(html.contains("ANA GUANGDONG") && html.contains("ZOE ZHEJIANG"));
}

#[tokio::test]
async fn cut_over_in_the_browser_in_both_languages() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    two_submitted(&s).await;
    b.sign_in(&s.base, "admin").await;
    for (lang, moved) in [("zh-CN", "2"), ("en", "0")] {
        b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/cut-over")))
            .await;
        b.axe("cut-over, admin").await;
        b.go("#cut-over-form button[type=submit]").await;
        assert_eq!(
            b.text("#f-confirm-error").await,
            text(lang, "error.confirm_required")
        );
        b.axe("cut-over, not confirmed").await;
        b.click("#f-confirm").await;
        b.go("#cut-over-form button[type=submit]").await;
        assert_eq!(
            b.text("#cut-over-done").await,
            text(lang, "cut_over.moved").replace("{n}", moved)
        );
        b.axe("cut-over, done").await;
        b.screenshot(&format!("cut-over-{lang}")).await;
    }
    b.sign_out().await;
    b.sign_in(&s.base, OFFICER).await;
    b.go("nav a[href='/web/cut-over']").await;
    assert!(b.text("#cut-over-table").await.contains("ANA GUANGDONG"));
    assert!(!b.exists("#cut-over-form").await);
    b.axe("cut-over, officer").await;
    b.go("#cut-over-table a").await;
    assert_eq!(b.text("#status").await, text("en", "status.accepted"));
    b.finish().await;
}
