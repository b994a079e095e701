//! What every page has around it: error pages in the visitor's language
//! with a way back, the icon, the issuing authority and the footer, success
//! messages after an action, and the dashboard's counts of what needs action.

use reqwest::StatusCode;
use zhengka_server::Config;
use zhengka_server::authority::Authority;

use crate::browser::{self, text};
use crate::http::client;
use crate::server::{AGENT, Server};

#[tokio::test]
async fn unknown_addresses_and_wrong_methods_get_a_page_in_the_visitors_language() {
    let s = Server::spawn().await;
    let c = client();
    for (lang, accept) in [("en", "en-GB,en;q=0.9"), ("zh-CN", "zh-CN,zh;q=0.9")] {
        let r = c
            .get(s.url("/web/no-such-page"))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert!(
            r.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("'self'")
        );
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("lang=\"{lang}\"")), "{html}");
        assert!(html.contains(&text(lang, "error.title_not_found")));
        assert!(html.contains("href=\"/web/\""), "a way back");

        let r = c
            .get(s.url("/web/sign-out"))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers()["allow"], "POST");
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&text(lang, "error.method_not_allowed")),
            "{html}"
        );
    }
    // Outside the pages nothing changes: the API keeps its envelope.
    let r = c.get(s.url("/api/v1/no-such")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("\"not_found\""));
    let r = c.get(s.url("/web/static/none.css")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_icon_and_the_authority_are_on_every_page() {
    let authority = Authority {
        name_zh: "广东省科学技术厅".into(),
        name_en: "Department of Science and Technology of Guangdong Province".into(),
    };
    let s = Server::spawn_with(Config {
        authority: authority.clone(),
        ..Config::default()
    })
    .await;
    let c = client();
    let r = c.get(s.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    for (accept, name) in [("zh-CN", &authority.name_zh), ("en", &authority.name_en)] {
        let r = c
            .get(s.url("/web/sign-in"))
            .header("accept-language", accept)
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("rel=\"icon\""));
        assert!(html.contains("<footer"), "a footer");
        assert!(html.contains(name.as_str()), "{accept}: {name}");
    }
}

#[tokio::test]
async fn an_action_says_it_is_done_and_the_dashboard_counts_what_waits() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let agent = s.api_login(AGENT).await;
    let a = s
        .api("/api/v1/applications", &agent, draft("CH1111111"))
        .await;
    let id = a["id"].as_str().unwrap();
    let lang = "zh-CN";
    b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/sign-in")))
        .await;
    b.sign_in(&s.base, AGENT).await;
    assert_eq!(b.text("#count-draft strong").await, "1");
    assert_eq!(b.text("#count-returned_for_update strong").await, "0");
    b.axe("dashboard with counts").await;
    b.go("#count-draft").await;
    assert!(b.text("#applications").await.contains("MARIA SILVA"));
    b.goto(&s.url(&format!("/web/applications/{id}"))).await;
    b.go("form[action$='/submit'] button").await;
    assert_eq!(b.text("#flash").await, text(lang, "done.submitted"));
    b.axe("application with its success message").await;

    b.goto(&s.url("/web/no-such-page")).await;
    assert_eq!(b.text("h1").await, text(lang, "error.title_not_found"));
    b.axe("404 page").await;
    b.resize(390, 844).await;
    b.axe("404 page, 390 px").await;
    b.resize(1280, 900).await;
    b.go("#error-home").await;
    assert!(b.path().await.starts_with("/web/applications"));
    b.finish().await;
}

pub fn draft(passport: &str) -> serde_json::Value {
    let start = chrono::Utc::now().date_naive() + chrono::Days::new(20);
    serde_json::json!({ "kind": "new_from_abroad",
        "foreigner": { "name": "MARIA SILVA", "nationality": "BRA", "sex": "female",
                       "date_of_birth": "1980-03-04", "passport_number": passport },
        "position": "Engineer",
        "contract": { "start_date": start, "end_date": start + chrono::Days::new(729),
                      "annual_salary_cny": 300000, "work_location_region": "440106" },
        "scoring": { "education": "doctorate", "related_experience_years": 10,
                     "months_per_year_in_china": 12, "chinese_language": "hsk3" } })
}
