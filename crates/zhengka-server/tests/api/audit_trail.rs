//! The audit trail as the admin checks it: a deleted tail is reported.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn audit_verify_reports_a_deleted_tail() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        for passport in ["E70000001", "E70000002"] {
            let r = app
                .post("/api/v1/applications", &agent, &new_from_abroad(passport))
                .await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        let intact = app.get("/api/v1/audit/verify", &app.admin).await;
        assert_eq!(intact.status, 200);
        assert_eq!(intact.body["broken_at"], json!(null));
        assert_eq!(intact.body["reason"], json!(null));
        let events = intact.body["events"].as_i64().unwrap();

        let raw = app.raw().await;
        sqlx::query("DELETE FROM audit_events WHERE seq > $1")
            .bind(events - 2)
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;

        let report = app.get("/api/v1/audit/verify", &app.admin).await;
        assert_eq!(report.status, 200);
        assert_eq!(report.body["events"], json!(events - 2));
        assert_eq!(report.body["broken_at"], json!(events - 1));
        let reason = report.body["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(&format!("truncated: head says seq {events} / hash ")),
            "{reason}"
        );
    })
    .await;
}
