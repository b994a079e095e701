//! Forms as people meet them: every mistake at once, each at its field and
//! in the summary, in the page's language; a language switch after a
//! failed post keeps what was typed; sign-in returns to the page asked for.

use chrono::{Days, Utc};

use crate::browser::{self, Browser, text};
use crate::server::{AGENT, Server};

/// A new-from-abroad form with three mistakes: a name with digits, a
/// passport number too short, a region that does not exist.
async fn three_mistakes(b: &Browser) {
    let start = Utc::now().date_naive() + Days::new(20);
    b.fill("#f-foreigner-name", "ANNA 2ND").await;
    b.select("#f-foreigner-nationality", "DEU").await;
    b.select("#f-foreigner-sex", "female").await;
    b.set("#f-foreigner-date_of_birth", "1980-05-01").await;
    b.fill("#f-foreigner-passport_number", "C01").await;
    b.fill("#f-position", "Professor").await;
    b.set("#f-contract-start_date", &start.to_string()).await;
    b.set(
        "#f-contract-end_date",
        &(start + Days::new(700)).to_string(),
    )
    .await;
    b.fill("#f-contract-annual_salary_cny", "300000").await;
    b.fill("#f-contract-work_location_region", "449999").await;
    b.select("#f-scoring-education", "doctorate").await;
    b.fill("#f-scoring-related_experience_years", "10").await;
    b.fill("#f-scoring-months_per_year_in_china", "12").await;
    b.select("#f-scoring-chinese_language", "hsk3").await;
    b.go("#application-form button[type=submit]").await;
}

async fn shows_the_three(b: &Browser, lang: &str) {
    let expected = [
        ("f-foreigner-name", "error.invalid_passport_name"),
        (
            "f-foreigner-passport_number",
            "error.invalid_passport_number_length",
        ),
        (
            "f-contract-work_location_region",
            "error.unknown_region_code",
        ),
    ];
    let summary = b.text(".error-summary ul").await;
    assert_eq!(summary.lines().count(), 3, "{summary}");
    for (id, key) in expected {
        let words = text(lang, key);
        assert_eq!(b.text(&format!("#{id}-error")).await, words, "{id}");
        assert!(summary.contains(&words), "{key} in the summary: {summary}");
    }
    assert_eq!(b.attr("#f-foreigner-name", "value").await, "ANNA 2ND");
    assert_eq!(b.attr("#f-position", "value").await, "Professor");
}

#[tokio::test]
async fn a_form_with_three_mistakes_shows_three_messages_and_keeps_them_across_a_language_switch() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    b.goto(&s.url("/web/lang/zh-CN?next=/web/sign-in")).await;
    b.sign_in(&s.base, AGENT).await;
    b.goto(&s.url("/web/applications/new?kind=new_from_abroad"))
        .await;
    three_mistakes(&b).await;
    shows_the_three(&b, "zh-CN").await;
    b.axe("three mistakes, zh-CN").await;
    b.resize(390, 844).await;
    b.axe("three mistakes, zh-CN, 390 px").await;
    b.resize(1280, 900).await;

    b.go("a[hreflang='en']").await;
    assert_eq!(b.attr("html", "lang").await, "en");
    shows_the_three(&b, "en").await;
    b.axe("three mistakes, en").await;
    b.go("a[hreflang='zh-CN']").await;
    assert_eq!(b.attr("html", "lang").await, "zh-CN");
    shows_the_three(&b, "zh-CN").await;
    b.finish().await;
}

#[tokio::test]
async fn nationality_and_region_are_picked_by_name() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    b.goto(&s.url("/web/lang/zh-CN?next=/web/sign-in")).await;
    b.sign_in(&s.base, AGENT).await;
    b.goto(&s.url("/web/applications/new?kind=new_from_abroad"))
        .await;
    let germany = "#f-foreigner-nationality option[value='DEU']";
    assert_eq!(b.text(germany).await, "德国（DEU）");
    let region = "#f-contract-work_location_region";
    b.wait_text(&format!("{region}-province"), |t| t.contains("广东省"))
        .await;
    b.select(&format!("{region}-province"), "440000").await;
    b.select(&format!("{region}-city"), "440100").await;
    b.select(&format!("{region}-county"), "440106").await;
    assert_eq!(b.prop(region, "value").await, "440106");
    b.axe("form with the pickers").await;
    b.resize(390, 844).await;
    b.axe("form with the pickers, 390 px").await;
    b.finish().await;
}

#[tokio::test]
async fn sign_in_returns_to_the_page_asked_for() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    b.goto(&s.url("/web/lang/en?next=/web/permits")).await;
    assert!(
        b.path().await.starts_with("/web/sign-in?next="),
        "{}",
        b.path().await
    );
    b.axe("sign-in with next").await;
    // A wrong password first: the page asked for is still remembered.
    b.fill("#f-username", AGENT).await;
    b.fill("#f-password", "not the password").await;
    b.go("main form button[type=submit]").await;
    b.fill("#f-password", crate::server::PASSWORD).await;
    b.go("main form button[type=submit]").await;
    assert_eq!(b.path().await, "/web/permits");
    // Another site is never a `next`.
    b.sign_out().await;
    b.goto(&s.url("/web/sign-in?next=//evil.example/")).await;
    b.fill("#f-username", AGENT).await;
    b.fill("#f-password", crate::server::PASSWORD).await;
    b.go("main form button[type=submit]").await;
    assert_eq!(b.path().await, "/web/applications");
    b.finish().await;
}

/// The employer form too: three mistakes, three messages, in Chinese.
#[tokio::test]
async fn the_employer_form_reports_every_mistake_at_once() {
    let s = Server::spawn().await;
    let c = crate::http::client();
    let admin = crate::http::signed_in(&s, &c, "admin").await;
    let html = c
        .get(s.url("/web/admin/employers"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let form = [
        ("csrf", csrf.as_str()),
        ("uscc", "91350100M000100Y44"),
        ("name", "Pearl River Labs"),
        ("region_code", "449999"),
        ("address", ""),
    ];
    let r = c
        .post(s.url("/web/admin/employers"))
        .header("cookie", &admin)
        .header("accept-language", "zh-CN")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for (id, key) in [
        ("f-uscc", "error.invalid_uscc_check_character"),
        ("f-region_code", "error.unknown_region_code"),
        ("f-address", "error.required"),
    ] {
        let shown = format!("id=\"{id}-error\">{}<", text("zh-CN", key));
        assert!(html.contains(&shown), "{shown} in {html}");
    }
    assert!(
        html.contains("value=\"Pearl River Labs\""),
        "typed input kept"
    );
}
