//! Two people acting on the same record at once: one wins, the other is told,
//! nothing is written twice.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn two_officers_approving_at_once_make_one_permit() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let second = app
            .user("officer2.gd", "permit_officer", None, Some("440000"))
            .await;
        let created = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("RACE00001"),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        app.post(
            &format!("/api/v1/applications/{id}/submit"),
            &agent,
            &json!(null),
        )
        .await;
        for step in ["accept", "preliminary_review"] {
            app.post(
                &format!("/api/v1/applications/{id}/decisions"),
                &officer,
                &json!({ "step": step, "outcome": "pass" }),
            )
            .await;
        }
        let path = format!("/api/v1/applications/{id}/decisions");
        let body = json!({ "step": "approve", "outcome": "pass" });
        let before = app.audit_count().await;
        let (a, b) = tokio::join!(
            app.post(&path, &officer, &body),
            app.post(&path, &second, &body)
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{:?} / {:?}", a.body, b.body);
        let loser = if a.status == 409 { &a } else { &b };
        // Which check stops the loser depends on timing; each is a 409 that
        // writes nothing.
        let codes = [
            "invalid_transition",
            "concurrent_update",
            "holder_has_active_permit",
        ];
        assert!(codes.contains(&loser.error().0), "{:?}", loser.body);
        assert_eq!(app.audit_count().await, before + 1, "one decision recorded");
        let permits = app.get("/api/v1/permits", &agent).await;
        assert_eq!(permits.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}
