//! The README's story: an employer files, an officer decides, a permit exists.

use chrono::{Days, Utc};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn new_from_abroad_from_draft_to_permit() {
    each_backend(|app| async move {
        let (employer, agent, officer) = app.cast().await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("E12345678"))
            .await;
        assert_eq!(approved["status"], "approved");
        assert_eq!(approved["employer_id"], employer.as_str());
        let history: Vec<_> = approved["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["to"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            history,
            [
                "draft",
                "submitted",
                "accepted",
                "preliminary_reviewed",
                "approved"
            ]
        );
        let number = approved["permit_number"].as_str().unwrap();
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(permit.status, 200);
        assert_eq!(permit.body["holder_name"], "ANNO BERNHARD DEDERICHS");
        assert_eq!(permit.body["status"], "valid");
        assert_eq!(permit.body["class"], approved["classification"]["class"]);
        // Approving twice is a state conflict, and changes nothing.
        let id = approved["id"].as_str().unwrap();
        let before = app.audit_count().await;
        let again = app
            .post(
                &format!("/api/v1/applications/{id}/decisions"),
                &officer,
                &json!({ "step": "approve", "outcome": "pass" }),
            )
            .await;
        assert_eq!((again.status, again.error().0), (409, "invalid_transition"));
        assert_eq!(app.audit_count().await, before);
        let chain = app.get("/api/v1/audit/verify", &app.admin).await;
        assert_eq!(chain.body["broken_at"], serde_json::Value::Null);
    })
    .await;
}

#[tokio::test]
async fn returned_application_is_updated_and_resubmitted() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let created = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E22222222"),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        app.post(
            &format!("/api/v1/applications/{id}/submit"),
            &agent,
            &json!(null),
        )
        .await;
        let no_reason = app
            .post(
                &format!("/api/v1/applications/{id}/decisions"),
                &officer,
                &json!({ "step": "accept", "outcome": "return" }),
            )
            .await;
        assert_eq!(
            (no_reason.status, no_reason.error()),
            (422, ("comment_required", Some("comment")))
        );
        let r = app
            .post(
                &format!("/api/v1/applications/{id}/decisions"),
                &officer,
                &json!({ "step": "accept", "outcome": "return", "comment": "photo is blurred" }),
            )
            .await;
        assert_eq!(r.body["status"], "returned_for_update");
        let wip = app
            .get("/api/v1/applications?status=in_progress", &agent)
            .await;
        assert_eq!(wip.body["items"].as_array().unwrap().len(), 1);
        let mut form = new_from_abroad("E22222222");
        form["position"] = json!("Senior professor");
        let updated = app
            .request(
                reqwest::Method::PUT,
                &format!("/api/v1/applications/{id}"),
                &agent,
                Some(&form),
                &[],
            )
            .await;
        assert_eq!(updated.status, 200, "{:?}", updated.body);
        let r = app
            .post(
                &format!("/api/v1/applications/{id}/submit"),
                &agent,
                &json!(null),
            )
            .await;
        assert_eq!(r.body["status"], "submitted");
        assert_eq!(r.body["form"]["position"], "Senior professor");
    })
    .await;
}

#[tokio::test]
async fn onsite_check_extension_and_cancellation() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let mut form = new_from_abroad("E33333333");
        form["scoring"] = json!({ "education": "bachelor", "related_experience_years": 1, "months_per_year_in_china": 0, "chinese_language": "none" });
        form["contract"]["annual_salary_cny"] = json!(100000);
        let approved = app.approve(&agent, &officer, &form).await;
        assert_eq!(approved["classification"]["class"], "C");
        let number = approved["permit_number"].as_str().unwrap().to_owned();
        let today = Utc::now().date_naive();
        let entry = app.post(&format!("/api/v1/permits/{number}/entry"), &agent, &json!({ "entry_date": today })).await;
        assert_eq!(entry.body["onsite"]["state"], "due", "{:?}", entry.body);
        let check = json!({ "entry_date": today, "visa_number": "Z1234567", "medical_report_issued_on": today - Days::new(30),
                            "materials_checked": ["visa_or_residence_permit_copy", "medical_report"] });
        let done = app.post(&format!("/api/v1/permits/{number}/onsite-verifications"), &officer, &check).await;
        assert_eq!(done.status, 200, "{:?}", done.body);
        assert_eq!(done.body["onsite"]["state"], "done");
        let twice = app.post(&format!("/api/v1/permits/{number}/onsite-verifications"), &officer, &check).await;
        assert_eq!((twice.status, twice.error().0), (409, "onsite_check_already_done"));
        // Extension: the same lifetime number, a later end.
        let valid_to = done.body["valid_to"].as_str().unwrap().to_owned();
        let start = Utc::now().date_naive() + Days::new(20);
        let extension = json!({ "kind": "extension", "permit_number": number,
            "contract": { "start_date": start, "end_date": start + Days::new(1500), "annual_salary_cny": 100000, "work_location_region": "440106" },
            "scoring": { "education": "bachelor", "related_experience_years": 3, "months_per_year_in_china": 12, "chinese_language": "none" } });
        let extended = app.approve(&agent, &officer, &extension).await;
        assert_eq!(extended["permit_number"], number.as_str());
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert!(permit.body["valid_to"].as_str().unwrap() > valid_to.as_str());
        let cancel = json!({ "kind": "cancellation", "permit_number": number, "cancellation": { "employment_ended_on": today } });
        app.approve(&agent, &officer, &cancel).await;
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(permit.body["status"], "cancelled");
        // A new application for the same person reuses the lifetime number.
        let again = app.approve(&agent, &officer, &new_from_abroad("E33333333")).await;
        assert_eq!(again["permit_number"], number.as_str());
    })
    .await;
}

#[tokio::test]
async fn idempotency_key_replays_the_first_response() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let form = new_from_abroad("E44444444");
        let key = [("idempotency-key", "file-once-1")];
        let first = app
            .request(
                reqwest::Method::POST,
                "/api/v1/applications",
                &agent,
                Some(&form),
                &key,
            )
            .await;
        let count = app.audit_count().await;
        let second = app
            .request(
                reqwest::Method::POST,
                "/api/v1/applications",
                &agent,
                Some(&form),
                &key,
            )
            .await;
        assert_eq!((first.status, second.status), (201, 201));
        assert_eq!(first.body, second.body);
        assert_eq!(app.audit_count().await, count, "a replay writes nothing");
        let list = app.get("/api/v1/applications", &agent).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
        let other = app
            .request(
                reqwest::Method::POST,
                "/api/v1/applications",
                &agent,
                Some(&new_from_abroad("E55555555")),
                &key,
            )
            .await;
        assert_eq!(
            (other.status, other.error().0),
            (422, "idempotency_key_reused")
        );
    })
    .await;
}

#[tokio::test]
async fn lists_page_with_cursors() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        for i in 0..5 {
            let r = app
                .post(
                    "/api/v1/applications",
                    &agent,
                    &new_from_abroad(&format!("P{i:07}")),
                )
                .await;
            assert_eq!(r.status, 201);
        }
        let mut seen = vec![];
        let mut path = "/api/v1/applications?limit=2".to_owned();
        loop {
            let page = app.get(&path, &officer).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
            seen.extend(
                page.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["id"].as_str().unwrap().to_owned()),
            );
            match page.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/applications?limit=2&cursor={}", urlencode(c)),
                None => break,
            }
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 5);
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
