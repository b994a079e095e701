//! What the holder does with their own e-card besides viewing it: download
//! the Notices of their own permit (another's: 404), report their own card
//! lost (frozen at once), then ask for its replacement; nothing else, and
//! never on another person's card.

use serde_json::{Value, json};

use crate::card_side::Cast;
use crate::helpers::*;

/// A registered holder with an SSN and a card issued at the window: the
/// permit, the holder's token and the card number.
async fn holder_with_card(app: &TestApp, c: &Cast, passport: &str) -> (Value, String, String) {
    let permit = app.holder(c, passport, None).await;
    let r = app.enrol(c, &permit).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let ssn = r.body["ssn"].as_str().unwrap().to_owned();
    let body = json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" });
    let r = app.post("/api/v1/cards", &c.card, &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let card = r.body["card_number"].as_str().unwrap().to_owned();
    let issued = json!({ "type": "issued_at_window", "chip_serial": format!("CHIP{passport}"),
                         "bank_account": "5555555555554444" });
    let r = app.card_event(c, &card, issued).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let token = app.registered_holder(&permit).await;
    (permit, token, card)
}

async fn pdf(app: &TestApp, path: &str, token: &str) -> (u16, Vec<u8>) {
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let ok = res
        .headers()
        .get("content-type")
        .is_some_and(|t| t == "application/pdf");
    let bytes = res.bytes().await.unwrap().to_vec();
    (status, if ok { bytes } else { vec![] })
}

#[tokio::test]
async fn a_holder_downloads_the_notices_of_their_own_permit_only() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, token, _) = holder_with_card(&app, &c, "NH0000001").await;
        let (other, other_token, _) = holder_with_card(&app, &c, "NH0000002").await;
        let r = app.get("/api/v1/ecard/notices", &token).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let notices = r.body["notices"].as_array().unwrap();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert_eq!(notices[0]["application_id"], permit["application_id"]);
        assert_eq!(notices[0]["kind"], "new_from_abroad");
        let own = format!(
            "/api/v1/ecard/notices/{}.pdf",
            permit["application_id"].as_str().unwrap()
        );
        let (status, bytes) = pdf(&app, &own, &token).await;
        assert_eq!(status, 200);
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
        // The holder may read their own passport number on it.
        let text = crate::pdf_documents::pdftotext(&bytes);
        for s in [
            "外国人工作许可通知",
            "外国人来华工作许可发证机关",
            "护照号码",
        ] {
            assert!(text.contains(s), "{s} not in the Notice:\n{text}");
        }
        // Another holder's Notice, a made-up id, a name without .pdf: 404.
        let theirs = format!(
            "/api/v1/ecard/notices/{}.pdf",
            other["application_id"].as_str().unwrap()
        );
        for path in [
            theirs.as_str(),
            "/api/v1/ecard/notices/nope.pdf",
            "/api/v1/ecard/notices/x",
        ] {
            assert_eq!(pdf(&app, path, &token).await.0, 404, "{path}");
        }
        assert_eq!(
            pdf(&app, &theirs, &other_token).await.0,
            200,
            "theirs to them"
        );
        // Staff use the applications' own endpoints.
        assert_eq!(app.get("/api/v1/ecard/notices", &c.agent).await.status, 403);
        assert_eq!(app.get("/api/v1/ecard/notices", "").await.status, 401);
    })
    .await;
}

#[tokio::test]
async fn a_holder_reports_their_card_lost_then_asks_for_the_replacement() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, token, card) = holder_with_card(&app, &c, "NH0000003").await;
        let (_, _, other_card) = holder_with_card(&app, &c, "NH0000004").await;
        let events = |n: &str| format!("/api/v1/cards/{n}/events");
        // Not the holder's card, or no such card: the same 404.
        let lost = json!({ "type": "lost" });
        let r = app.post(&events(&other_card), &token, &lost).await;
        assert_eq!(r.status, 404, "{:?}", r.body);
        let r = app.post(&events("ZK0000000000"), &token, &lost).await;
        assert_eq!(r.status, 404, "{:?}", r.body);
        // Only a loss report, and a replacement after it.
        let r = app
            .post(&events(&card), &token, &json!({ "type": "frozen" }))
            .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("event_not_allowed", Some("type")))
        );
        let r = app
            .post(&events(&card), &token, &json!({ "type": "replaced" }))
            .await;
        assert_eq!(
            (r.status, r.error().0),
            (409, "replacement_needs_loss_report")
        );
        let r = app.post(&events(&card), &token, &lost).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["card"]["status"], "frozen");
        let e = app.get("/api/v1/ecard", &token).await;
        assert_eq!(e.body["card"]["status"], "frozen");
        let r = app
            .post(&events(&card), &token, &json!({ "type": "unfrozen" }))
            .await;
        assert_eq!(r.status, 422, "unfreezing is the officer's: {:?}", r.body);
        let r = app
            .post(&events(&card), &token, &json!({ "type": "replaced" }))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let new = r.body["replacement"]["card_number"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(r.body["replacement"]["status"], "applied");
        let e = app.get("/api/v1/ecard", &token).await;
        assert_eq!(
            e.body["card"]["card_number"],
            new.as_str(),
            "the e-card shows the new card"
        );
        assert!(
            app.audit_actions()
                .await
                .iter()
                .filter(|a| *a == "card.event_recorded")
                .count()
                >= 3
        );
        // Staff other than card officers still may not post events.
        let r = app.post(&events(&new), &c.agent, &lost).await;
        assert_eq!(r.status, 403);
    })
    .await;
}

#[tokio::test]
async fn an_officer_frozen_card_is_not_the_holders_to_replace() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, token, card) = holder_with_card(&app, &c, "NH0000005").await;
        let r = app.card_event(&c, &card, json!({ "type": "frozen" })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let events = format!("/api/v1/cards/{card}/events");
        let r = app
            .post(&events, &token, &json!({ "type": "replaced" }))
            .await;
        assert_eq!(
            (r.status, r.error().0),
            (409, "replacement_needs_loss_report")
        );
    })
    .await;
}

#[tokio::test]
async fn the_onsite_decision_downloads_once_the_originals_were_checked() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut form = new_from_abroad("ED0000001");
        form["scoring"] = serde_json::json!({ "education": "bachelor", "related_experience_years": 1,
            "months_per_year_in_china": 0, "chinese_language": "none" });
        form["contract"]["annual_salary_cny"] = serde_json::json!(100000);
        let permit = app.holder(&c, "ED0000001", Some(form)).await;
        assert_eq!(permit["class"], "C");
        let token = app.registered_holder(&permit).await;
        let r = app.get("/api/v1/ecard/decision.pdf", &token).await;
        assert_eq!((r.status, r.error().0), (404, "no_decision"));
        let n = permit["permit_number"].as_str().unwrap();
        let today = chrono::Utc::now().date_naive();
        let check = serde_json::json!({ "entry_date": today, "visa_number": "Z1234567",
            "medical_report_issued_on": today - chrono::Days::new(30),
            "materials_checked": ["visa_or_residence_permit_copy", "medical_report"] });
        let done = app
            .post(&format!("/api/v1/permits/{n}/onsite-verifications"), &c.officer, &check)
            .await;
        assert_eq!(done.status, 200, "{:?}", done.body);
        let res = app
            .client
            .get(format!("{}/api/v1/ecard/decision.pdf", app.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let bytes = res.bytes().await.unwrap();
        assert!(bytes.starts_with(b"%PDF-"), "a PDF");
        let text = crate::pdf_documents::pdftotext(&bytes);
        for s in ["准予行政许可决定书", "外国人来华工作许可发证机关", "ED0000001"] {
            assert!(text.contains(s), "{s} not in the Decision:\n{text}");
        }
        // Staff and other holders do not get it here.
        assert_eq!(app.get("/api/v1/ecard/decision.pdf", &c.officer).await.status, 403);
    })
    .await;
}
