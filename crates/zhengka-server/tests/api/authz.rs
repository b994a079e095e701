//! Every endpoint checks role and ownership; another employer's records are 404.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn roles_and_ownership() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let other_employer = app.employer(&uscc("91440300MA5DYYYY1"), "440305").await;
        let rival = app
            .user("hr@rival", "employer_agent", Some(&other_employer), None)
            .await;
        let zhejiang = app
            .user("officer.zj", "permit_officer", None, Some("330000"))
            .await;
        let created = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E66666666"),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/applications/{id}");
        assert_eq!(app.get(&path, &agent).await.status, 200);
        assert_eq!(app.get(&path, &officer).await.status, 200);
        assert_eq!(
            app.get(&path, &rival).await.status,
            404,
            "another employer's record"
        );
        assert_eq!(
            app.get(&path, &zhejiang).await.status,
            404,
            "another region"
        );
        let submit = app
            .post(&format!("{path}/submit"), &rival, &json!(null))
            .await;
        assert_eq!(submit.status, 404);
        // Wrong role is 403 even with a body that would not parse.
        let r = app.post("/api/v1/employers", &agent, &json!({})).await;
        assert_eq!((r.status, r.error().0), (403, "forbidden"));
        let r = app
            .post(
                &format!("{path}/decisions"),
                &agent,
                &json!({ "step": "accept", "outcome": "pass" }),
            )
            .await;
        assert_eq!(r.status, 403);
        assert_eq!(app.get("/api/v1/audit", &officer).await.status, 403);
        assert_eq!(app.get("/api/v1/users", &officer).await.status, 403);
        let users = app.get("/api/v1/users?limit=2", &app.admin).await;
        assert_eq!(users.body["items"][0]["username"], "admin");
        assert!(users.body["items"][0].get("password_hash").is_none());
        let rest = app
            .get(
                &format!(
                    "/api/v1/users?cursor={}",
                    users.body["next_cursor"].as_str().unwrap()
                ),
                &app.admin,
            )
            .await;
        assert_eq!(
            rest.body["items"].as_array().unwrap().len(),
            3,
            "5 users in all"
        );
        let rival_list = app.get("/api/v1/applications", &rival).await;
        assert_eq!(rival_list.body["items"].as_array().unwrap().len(), 0);
        let zj_list = app.get("/api/v1/applications", &zhejiang).await;
        assert_eq!(zj_list.body["items"].as_array().unwrap().len(), 0);
    })
    .await;
}

#[tokio::test]
async fn operations_endpoints() {
    each_backend(|app| async move {
        assert_eq!(app.get("/healthz", "").await.body["status"], "ok");
        let doc = app.get("/openapi.json", "").await;
        assert_eq!(doc.body["openapi"], "3.1.0");
        // Every documented operation is routed (not 404-unmatched, not 405).
        for (path, ops) in doc.body["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                let concrete = path
                    .replace("{id}", "x")
                    .replace("{permit_number}", "X00000000");
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let r = app.request(m, &concrete, "", None, &[]).await;
                assert_ne!(r.status, 405, "{method} {path}");
                assert_ne!(
                    r.body["error"]["message"], "no such path",
                    "{method} {path} is not routed"
                );
            }
        }
        let metrics = app.get("/metrics", "").await;
        assert!(
            metrics
                .body
                .as_str()
                .unwrap()
                .contains("zhengka_http_requests_total")
        );
    })
    .await;
}
