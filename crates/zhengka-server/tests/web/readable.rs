//! Values as people read them: countries and divisions by name, times in
//! Beijing time with the zone shown and no seconds, people by name, and no
//! UUID anywhere on a page.

use crate::browser::{self, Browser};
use crate::server::{AGENT, Server};

/// A UUID (8-4-4-4-12 hex digits) anywhere in `text`.
fn has_uuid(text: &str) -> bool {
    let groups = [8, 4, 4, 4, 12];
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .any(|word| {
            let parts: Vec<_> = word.split('-').collect();
            parts.len() == 5 && parts.iter().zip(groups).all(|(p, n)| p.len() == n)
        })
}

async fn no_uuid_on(b: &Browser, page: &str) {
    let text = b.text("body").await;
    assert!(!has_uuid(&text), "{page} shows a UUID: {text}");
}

#[tokio::test]
async fn an_application_reads_in_names_and_local_time() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let agent = s.api_login(AGENT).await;
    let a = s
        .api(
            "/api/v1/applications",
            &agent,
            crate::chrome::draft("RV1111111"),
        )
        .await;
    let id = a["id"].as_str().unwrap();
    b.goto(&s.url("/web/lang/zh-CN?next=/web/sign-in")).await;
    b.sign_in(&s.base, AGENT).await;
    no_uuid_on(&b, "dashboard").await;
    assert!(b.text("#applications").await.contains("UTC+08:00"));
    b.goto(&s.url(&format!("/web/applications/{id}"))).await;
    assert_eq!(b.text("#holder-nationality").await, "巴西（BRA）");
    assert_eq!(
        b.text("#work-region").await,
        "广东省 广州市 天河区（440106）"
    );
    let main = b.text("main").await;
    assert!(main.contains("UTC+08:00"), "the zone is shown: {main}");
    no_uuid_on(&b, "application").await;
    b.axe("application with readable values").await;
    b.go("a[hreflang='en']").await;
    assert_eq!(b.text("#holder-nationality").await, "Brazil (BRA)");
    b.sign_out().await;

    b.sign_in(&s.base, "admin").await;
    no_uuid_on(&b, "employers").await;
    b.goto(&s.url("/web/admin/audit")).await;
    let audit = b.text("#audit").await;
    assert!(audit.contains(AGENT), "actors by name: {audit}");
    no_uuid_on(&b, "audit").await;
    b.axe("audit with names").await;
    b.resize(390, 844).await;
    b.axe("audit, 390 px").await;
    b.finish().await;
}

#[test]
fn the_uuid_finder_finds_uuids_only() {
    assert!(has_uuid("id 1521ca1f-0c8e-4a43-9d1e-6f1b2a3c4d5e here"));
    assert!(!has_uuid("2026-12-03 19:05 UTC+08:00 1521CA1F"));
}
