//! The time rules applied by the sweeps, run for days in the future.

use chrono::{Days, Utc};
use serde_json::json;
use zhengka_server::jobs;

use crate::helpers::*;

#[tokio::test]
async fn missed_onsite_check_suspends_then_revokes_and_expiry_expires() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let mut form = new_from_abroad("E77777777");
        form["scoring"]["education"] = json!("bachelor");
        form["contract"]["annual_salary_cny"] = json!(150000);
        let approved = app.approve(&agent, &officer, &form).await;
        assert_ne!(
            approved["classification"]["class"], "A",
            "needs the on-site check"
        );
        let number = approved["permit_number"].as_str().unwrap().to_owned();
        let today = Utc::now().date_naive();
        app.post(
            &format!("/api/v1/permits/{number}/entry"),
            &agent,
            &json!({ "entry_date": today }),
        )
        .await;
        let store = app.store.as_ref();
        let now = Utc::now();
        assert_eq!(
            jobs::sweep_permit_deadlines(store, now + Days::new(30))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            jobs::sweep_permit_deadlines(store, now + Days::new(31))
                .await
                .unwrap(),
            1
        );
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(permit.body["status"], "suspended");
        assert_eq!(
            jobs::sweep_permit_deadlines(store, now + Days::new(31))
                .await
                .unwrap(),
            0,
            "idempotent"
        );
        assert_eq!(
            jobs::sweep_permit_deadlines(store, now + Days::new(61))
                .await
                .unwrap(),
            1
        );
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        assert_eq!(permit.body["status"], "revoked");
        assert_eq!(
            jobs::sweep_permit_deadlines(store, now + Days::new(5000))
                .await
                .unwrap(),
            0,
            "revocation is final"
        );
    })
    .await;
}

#[tokio::test]
async fn cut_over_returns_applications_in_review_to_preliminary_review() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let mut ids = vec![];
        for (i, steps) in [0usize, 1, 2, 3].into_iter().enumerate() {
            let r = app
                .post(
                    "/api/v1/applications",
                    &agent,
                    &new_from_abroad(&format!("C{i:07}")),
                )
                .await;
            let id = r.body["id"].as_str().unwrap().to_owned();
            if steps >= 1 {
                app.post(
                    &format!("/api/v1/applications/{id}/submit"),
                    &agent,
                    &json!(null),
                )
                .await;
            }
            for step in ["accept", "preliminary_review"]
                .iter()
                .take(steps.saturating_sub(1))
            {
                app.post(
                    &format!("/api/v1/applications/{id}/decisions"),
                    &officer,
                    &json!({ "step": step, "outcome": "pass" }),
                )
                .await;
            }
            ids.push(id);
        }
        let r = app
            .post("/api/v1/admin/cut-over", &app.admin, &json!(null))
            .await;
        assert_eq!(
            (r.status, r.body["moved"].as_u64()),
            (200, Some(3)),
            "{:?}",
            r.body
        );
        let statuses: Vec<_> = statuses_of(&app, &agent, &ids).await;
        assert_eq!(statuses, ["draft", "accepted", "accepted", "accepted"]);
        let again = app
            .post("/api/v1/admin/cut-over", &app.admin, &json!(null))
            .await;
        assert_eq!(again.body["moved"].as_u64(), Some(0), "runs once");
        let forbidden = app
            .post("/api/v1/admin/cut-over", &officer, &json!(null))
            .await;
        assert_eq!(forbidden.status, 403);
    })
    .await;
}

async fn statuses_of(app: &TestApp, token: &str, ids: &[String]) -> Vec<String> {
    let mut out = vec![];
    for id in ids {
        let r = app.get(&format!("/api/v1/applications/{id}"), token).await;
        out.push(r.body["status"].as_str().unwrap().to_owned());
    }
    out
}
