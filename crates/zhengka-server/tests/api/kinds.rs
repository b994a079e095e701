//! Application kinds beyond new_from_abroad, from filing to the permit record.

use chrono::{Days, Utc};
use serde_json::{Value, json};

use crate::helpers::*;

fn legacy(employer: &str, number: &str, passport: &str) -> Value {
    let today = Utc::now().date_naive();
    json!({ "employer_id": employer, "permit_number": number, "class": "B", "position": "Engineer",
            "valid_from": today - Days::new(300), "valid_to": today + Days::new(200),
            "foreigner": { "name": "Kenji Tanaka", "nationality": "JPN", "sex": "male",
                           "date_of_birth": "1985-03-03", "passport_number": passport } })
}

#[tokio::test]
async fn a_physical_permit_moves_to_the_card_only_on_renewal_or_extension() {
    each_backend(|app| async move {
        let (employer, agent, officer) = app.cast().await;
        let r = app
            .post(
                "/api/v1/permits",
                &officer,
                &legacy(&employer, "440106201900000001", "TK1234567"),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["medium"], "physical", "no change, no replacement");
        let again = app
            .post(
                "/api/v1/permits",
                &officer,
                &legacy(&employer, "440106201900000001", "TK1234567"),
            )
            .await;
        assert_eq!(
            (again.status, again.error()),
            (409, ("permit_number_taken", Some("permit_number")))
        );
        assert_eq!(
            app.post(
                "/api/v1/permits",
                &agent,
                &legacy(&employer, "440106201900000002", "TK7654321")
            )
            .await
            .status,
            403
        );
        let renew = json!({ "kind": "renew_electronic", "permit_number": "440106201900000001" });
        let approved = app.approve(&agent, &officer, &renew).await;
        assert!(approved["notice"].is_null(), "renewal issues no Notice");
        let p = app.get("/api/v1/permits/440106201900000001", &agent).await;
        assert_eq!(
            (p.body["medium"].as_str(), p.body["class"].as_str()),
            (Some("electronic"), Some("B"))
        );
        let twice = app.post("/api/v1/applications", &agent, &renew).await;
        assert_eq!((twice.status, twice.error().0), (422, "already_electronic"));
    })
    .await;
}

#[tokio::test]
async fn short_term_work_is_approved_as_class_c_without_points() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let start = Utc::now().date_naive() + Days::new(10);
        let mut form = new_from_abroad("ST1234567");
        form["kind"] = json!("short_term");
        form.as_object_mut().unwrap().remove("scoring");
        form["contract"]["end_date"] = json!(start + Days::new(59));
        form["contract"]["start_date"] = json!(start);
        form["short_term"] = json!({ "situation": "filming", "no_criminal_record_pledge": true });
        let approved = app.approve(&agent, &officer, &form).await;
        let number = approved["permit_number"].as_str().unwrap();
        let p = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(p.body["class"], "C");
        assert_eq!(p.body["valid_to"], json!(start + Days::new(59)));
        assert_eq!(p.body["onsite"]["state"], "not_required");
        let due = approved["decision_due_on"].as_str().unwrap();
        assert!(
            due <= (Utc::now().date_naive() + Days::new(9))
                .to_string()
                .as_str(),
            "5 working days"
        );
    })
    .await;
}

#[tokio::test]
async fn a_change_onto_a_passport_that_holds_an_active_permit_is_refused() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let first = app
            .approve(&agent, &officer, &new_from_abroad("PC0000001"))
            .await;
        app.approve(&agent, &officer, &new_from_abroad("PC0000002"))
            .await;
        let number = first["permit_number"].as_str().unwrap();
        let change = json!({ "kind": "change", "permit_number": number,
            "change": { "changed_on": Utc::now().date_naive(), "new_passport_number": "PC0000002" } });
        let created = app.post("/api/v1/applications", &agent, &change).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap();
        let path = format!("/api/v1/applications/{id}");
        app.post(&format!("{path}/submit"), &agent, &json!(null))
            .await;
        for step in ["accept", "preliminary_review"] {
            let body = json!({ "step": step, "outcome": "pass" });
            let r = app.post(&format!("{path}/decisions"), &officer, &body).await;
            assert_eq!(r.status, 200, "{step}: {:?}", r.body);
        }
        let before = app.audit_count().await;
        let body = json!({ "step": "approve", "outcome": "pass" });
        let approver = app.approver().await;
        let r = app.post(&format!("{path}/decisions"), &approver, &body).await;
        // The permit's passport would become one that already has an active
        // permit: the unique index refuses it and nothing is written.
        assert_eq!((r.status, r.error().0), (409, "holder_has_active_permit"));
        assert_eq!(app.audit_count().await, before);
        let unchanged = app.get(&path, &agent).await;
        assert_eq!(unchanged.body["status"], "preliminary_reviewed");
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(permit.body["passport_number"], "PC0000001");
    })
    .await;
}
