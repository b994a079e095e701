//! The one-card service catalogue: public reading with filters and paging,
//! the admin's services one by one, and imports that take every line or none.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

const HEADER: &str = "code,sector,purpose,name_zh,name_en,provider,region_code";

impl TestApp {
    async fn import_services(&self, content_type: &str, text: &str) -> Response {
        let res = self
            .client
            .post(format!("{}/api/v1/services/import", self.base))
            .bearer_auth(&self.admin)
            .header("content-type", content_type)
            .body(text.to_owned())
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body = res.json().await.unwrap_or(Value::Null);
        Response { status, body }
    }
}

fn line(code: &str, sector: &str, purpose: &str, region: &str) -> String {
    format!("{code},{sector},{purpose},服务{code},Service {code},Provider {code},{region}")
}

#[tokio::test]
async fn an_import_fills_the_public_catalogue_which_filters_and_pages() {
    each_backend(|app| async move {
        let mut text = format!("{HEADER}\n");
        for i in 0..25 {
            text.push_str(&line(
                &format!("GZ-MUSEUM-{i:02}"),
                "culture_tourism",
                "culture_venue",
                "440100",
            ));
            text.push('\n');
        }
        text.push_str(&line(
            "GD-GOV",
            "government_affairs",
            "government_service",
            "440000",
        ));
        text.push('\n');
        text.push_str(&line("SZ-METRO", "transport", "transit", "440300"));
        let r = app.import_services("text/csv", &text).await;
        assert_eq!(
            (r.status, r.body.clone()),
            (200, json!({ "created": 27, "updated": 0 }))
        );
        let all = app.get("/api/v1/services?limit=100", "").await;
        assert_eq!((all.status, all.body["total"].as_i64()), (200, Some(27)));
        // Guangzhou lists its services and the province's, not Shenzhen's.
        let gz = app
            .get("/api/v1/services?region_code=440106&limit=100", "")
            .await;
        assert_eq!(gz.body["total"], 26);
        let culture = app
            .get("/api/v1/services?sector=culture_tourism&limit=10", "")
            .await;
        assert_eq!(culture.body["total"], 25);
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/services?sector=culture_tourism&limit=10&cursor={c}"),
                None => "/api/v1/services?sector=culture_tourism&limit=10".into(),
            };
            let page = app.get(&path, "").await;
            for s in page.body["items"].as_array().unwrap() {
                seen.push(s["code"].as_str().unwrap().to_owned());
            }
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        seen.dedup();
        assert_eq!(seen.len(), 25, "every service once, none dropped");
        let one = app.get("/api/v1/services/sz-metro", "").await;
        assert_eq!(
            (one.status, one.body["purpose"].as_str()),
            (200, Some("transit"))
        );
        let again = app.import_services("text/csv", &text).await;
        assert_eq!(again.body, json!({ "created": 0, "updated": 27 }));
        let bad = app.get("/api/v1/services?sector=spaceport", "").await;
        assert_eq!(
            (bad.status, bad.error()),
            (422, ("unknown_sector", Some("sector")))
        );
        let none = app.get("/api/v1/services/NO-SUCH", "").await;
        assert_eq!((none.status, none.error().0), (404, "service_not_found"));
    })
    .await;
}

#[tokio::test]
async fn a_bad_import_reports_every_line_and_imports_nothing() {
    each_backend(|app| async move {
        let text = format!(
            "{HEADER}\n{}\n{}\n{}\n",
            line("OK-ONE", "library", "library", "440100"),
            line("BAD-PURPOSE", "library", "transit", "440100"),
            line("BAD-REGION", "library", "library", "999999"),
        );
        let r = app.import_services("text/csv", &text).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["error"]["code"], "invalid_import");
        let lines: Vec<(u64, &str)> = r.body["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| (l["line"].as_u64().unwrap(), l["code"].as_str().unwrap()))
            .collect();
        assert_eq!(lines, vec![(3, "purpose_not_of_sector"), (4, "unknown_region_code")]);
        assert_eq!(app.get("/api/v1/services", "").await.body["total"], 0);
        let jsonl = r#"{"code":"J-1","sector":"finance","purpose":"bank","name_zh":"银行","name_en":"Bank","provider":"ICBC","region_code":"440100"}"#;
        let r = app.import_services("application/x-ndjson", jsonl).await;
        assert_eq!(r.body, json!({ "created": 1, "updated": 0 }));
        let r = app.import_services("application/pdf", jsonl).await;
        assert_eq!(r.status, 415);
    })
    .await;
}

#[tokio::test]
async fn only_the_admin_keeps_the_catalogue() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let body = json!({ "code": "GZ-LIB", "sector": "library", "purpose": "library",
            "name_zh": "广州图书馆借阅", "name_en": "Guangzhou Library loans",
            "provider": "广州图书馆", "region_code": "440100" });
        assert_eq!(
            app.post("/api/v1/services", &agent, &body).await.status,
            403
        );
        assert_eq!(app.post("/api/v1/services", "", &body).await.status, 401);
        let r = app.post("/api/v1/services", &app.admin, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let twice = app.post("/api/v1/services", &app.admin, &body).await;
        assert_eq!(
            (twice.status, twice.error()),
            (409, ("service_exists", Some("code")))
        );
        let mut bad = body.clone();
        bad["purpose"] = json!("bank");
        let r = app.post("/api/v1/services", &app.admin, &bad).await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("purpose_not_of_sector", Some("purpose")))
        );
        let mut off = body.clone();
        off["active"] = json!(false);
        let r = app
            .request(
                Method::PUT,
                "/api/v1/services/GZ-LIB",
                &app.admin,
                Some(&off),
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(app.get("/api/v1/services", "").await.body["total"], 0);
        let all = app.get("/api/v1/services?include_inactive=true", "").await;
        assert_eq!(all.body["total"], 1);
        let r = app
            .request(
                Method::PUT,
                "/api/v1/services/OTHER",
                &app.admin,
                Some(&off),
                &[],
            )
            .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("code_mismatch", Some("code")))
        );
        let actions = app.audit_actions().await;
        assert!(actions.contains(&"service.created".to_owned()));
        assert!(actions.contains(&"service.updated".to_owned()));
    })
    .await;
}
