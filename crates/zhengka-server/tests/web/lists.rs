//! Lists in the browser: a long list pages to its end with its count, a
//! search by passport number finds one row, and the officer's follow-up queue
//! leads to the entry and on-site forms until the check is done. axe on every
//! new page.

use chrono::{Days, Utc};
use serde_json::json;

use crate::browser::{self, Browser, text};
use crate::server::{AGENT, APPROVER, OFFICER, Server};

fn count(lang: &str, first: usize, last: usize, total: usize) -> String {
    text(lang, "paging.count")
        .replace("{first}", &first.to_string())
        .replace("{last}", &last.to_string())
        .replace("{total}", &total.to_string())
}

#[tokio::test]
async fn a_long_list_pages_to_the_end_and_is_searched() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let agent = s.api_login(AGENT).await;
    let start = Utc::now().date_naive() + Days::new(20);
    for i in 0..120 {
        let form = json!({ "kind": "new_from_abroad",
            "foreigner": { "name": "MARIA SILVA", "nationality": "BRA", "sex": "female",
                           "date_of_birth": "1980-03-04", "passport_number": format!("WL{i:06}") },
            "position": "Engineer",
            "contract": { "start_date": start, "end_date": start + Days::new(729),
                          "annual_salary_cny": 300000, "work_location_region": "440106" },
            "scoring": { "education": "doctorate", "related_experience_years": 10,
                         "months_per_year_in_china": 12, "chinese_language": "hsk3" } });
        s.api("/api/v1/applications", &agent, form).await;
    }
    let lang = "zh-CN";
    b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/sign-in")))
        .await;
    b.sign_in(&s.base, AGENT).await;
    assert_eq!(b.text("#list-count").await, count(lang, 1, 50, 120));
    b.axe("applications, first page").await;
    b.go("#next-page").await;
    assert_eq!(b.text("#list-count").await, count(lang, 51, 100, 120));
    b.go("#next-page").await;
    assert_eq!(b.text("#list-count").await, count(lang, 101, 120, 120));
    assert!(!b.exists("#next-page").await, "the last page");
    b.axe("applications, last page").await;
    b.resize(390, 844).await;
    b.axe("applications, last page, 390 px").await;
    b.resize(1280, 900).await;
    b.go("#first-page").await;
    assert_eq!(b.text("#list-count").await, count(lang, 1, 50, 120));

    b.fill("#f-q", "wl000042").await;
    b.go("#list-filters button[type=submit]").await;
    assert_eq!(b.text("#list-count").await, count(lang, 1, 1, 1));
    assert_eq!(
        b.attr("#f-q", "value").await,
        "wl000042",
        "the search stays in the form"
    );
    assert!(!b.path().await.contains("wl000042"), "never in the address");
    b.axe("applications, searched").await;
    b.set("#f-from", "2026-02-02").await;
    b.set("#f-to", "2026-02-01").await;
    b.go("#list-filters button[type=submit]").await;
    assert!(
        b.exists("#f-to-error").await,
        "a precise error at the field"
    );
    b.finish().await;
}

#[tokio::test]
async fn the_follow_up_queue_leads_to_the_onsite_check() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let approved = s.approved_from_abroad("FQ1111111").await;
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    // Yesterday's approval, entered yesterday.
    s.backdate_approval(&number, 1).await;
    b.goto(&s.url("/web/lang/en?next=/web/sign-in")).await;
    b.sign_in(&s.base, OFFICER).await;
    b.axe("queue with counts").await;
    b.goto(&s.url("/web/follow-up")).await;
    assert!(b.text("#follow-up").await.contains(&number));
    b.axe("follow-up, awaiting entry").await;
    b.resize(390, 844).await;
    b.axe("follow-up, 390 px").await;
    b.resize(1280, 900).await;
    b.go("a.follow-up-link").await;
    detail_names_people_and_materials(&b).await;
    let yesterday = (Utc::now().date_naive() - Days::new(1)).to_string();
    b.set("#f-entry-entry_date", &yesterday).await;
    b.go("#entry-form button[type=submit]").await;
    b.goto(&s.url("/web/follow-up")).await;
    let due = (Utc::now().date_naive() + Days::new(29)).to_string();
    assert!(
        b.text("#follow-up").await.contains(&due),
        "30 days from entry"
    );
    follow_up_onsite(&b, &yesterday).await;
    assert!(b.exists("#onsite-decision").await, "the decision number");
    b.goto(&s.url("/web/follow-up")).await;
    assert!(b.exists("#follow-up-empty").await, "done leaves the queue");
    b.goto(&s.url("/web/my-decisions")).await;
    b.axe("my decisions").await;
    b.goto(&s.url("/web/permits")).await;
    assert!(b.text("#permits").await.contains(&number));
    b.axe("permits, officer").await;
    b.finish().await;
}

async fn follow_up_onsite(b: &Browser, entry: &str) {
    b.go("a.follow-up-link").await;
    b.set("#f-onsite-entry_date", entry).await;
    b.fill("#f-onsite-visa_number", "Z1234567").await;
    let medical = (Utc::now().date_naive() - Days::new(30)).to_string();
    b.set("#f-onsite-medical_report_issued_on", &medical).await;
    b.click("#f-onsite-m-visa_or_residence_permit_copy").await;
    b.click("#f-onsite-m-medical_report").await;
    b.go("#onsite-form button[type=submit]").await;
}

/// The application page says who and what: employer with its USCC, holder
/// with the passport number, officers by name, the materials the kind needs.
async fn detail_names_people_and_materials(b: &Browser) {
    assert!(b.text("#employer").await.contains("Lingnan Institute"));
    assert!(b.text("#employer").await.contains(crate::server::USCC));
    assert_eq!(b.text("#holder-passport").await, "FQ1111111");
    let history = b.text("main").await;
    assert!(history.contains(APPROVER), "the approving officer by name");
    assert!(
        b.exists("#materials-checklist").await,
        "the kind's checklist"
    );
    b.axe("application, officer, approved").await;
}
