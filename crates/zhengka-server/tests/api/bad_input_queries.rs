//! Bad input outside the body: Idempotency-Key headers, list queries, odd
//! bytes in paths and queries. Exact status, code and field; nothing written.

use reqwest::Method;
use serde_json::json;

use crate::bad_input::*;
use crate::helpers::*;

const EMPLOYERS: &str = "/api/v1/employers";

#[tokio::test]
async fn invalid_idempotency_keys_are_400() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let form = new_from_abroad("E30000001");
        let before = snapshot(&app).await;
        let long = "k".repeat(300);
        let just_over = "k".repeat(256);
        for (label, key) in [
            ("300 chars", long.as_str()),
            ("256 chars", &just_over),
            ("empty", ""),
            ("space", "a b"),
            ("tab", "a\tb"),
        ] {
            let headers = [("idempotency-key", key)];
            let r = app
                .request(Method::POST, APPS, &agent, Some(&form), &headers)
                .await;
            refused(
                &app,
                &before,
                label,
                &r,
                (400, "invalid_idempotency_key", None),
            )
            .await;
            let r = app
                .request(
                    Method::POST,
                    EMPLOYERS,
                    &app.admin,
                    Some(&json!({})),
                    &headers,
                )
                .await;
            refused(
                &app,
                &before,
                label,
                &r,
                (400, "invalid_idempotency_key", None),
            )
            .await;
        }
        // A refused request does not use up its key.
        let key = [("idempotency-key", "k-1")];
        let r = raw(
            &app,
            Method::POST,
            APPS,
            &agent,
            Some("application/json"),
            "{",
            &key,
        )
        .await;
        refused(
            &app,
            &before,
            "malformed with key",
            &r,
            (400, "malformed_json", None),
        )
        .await;
        let bad = edit(&form, "contract.annual_salary_cny", Some(json!("lots")));
        let r = app
            .request(Method::POST, APPS, &agent, Some(&bad), &key)
            .await;
        let want = (422, "invalid_type", Some("contract.annual_salary_cny"));
        refused(&app, &before, "invalid with key", &r, want).await;
        let first = app
            .request(Method::POST, APPS, &agent, Some(&form), &key)
            .await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        let after = snapshot(&app).await;
        let again = app
            .request(Method::POST, APPS, &agent, Some(&form), &key)
            .await;
        assert_eq!((again.status, &again.body), (201, &first.body));
        assert!(snapshot(&app).await == after, "a replay writes nothing");
        // The longest allowed key works.
        let longest = "k".repeat(255);
        let r = app
            .request(
                Method::POST,
                APPS,
                &agent,
                Some(&new_from_abroad("E30000002")),
                &[("idempotency-key", &longest)],
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    })
    .await;
}

#[tokio::test]
async fn list_queries_are_checked() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        assert_eq!(
            app.post(APPS, &agent, &new_from_abroad("E30000003"))
                .await
                .status,
            201
        );
        let (agent, officer, admin) = (agent.as_str(), officer.as_str(), app.admin.as_str());
        let before = snapshot(&app).await;
        let limit = |code| (422, code, Some("limit"));
        let cases: Vec<(&str, &str, Want)> = vec![
            ("/api/v1/applications?limit=0", agent, limit("out_of_range")),
            (
                "/api/v1/applications?limit=1000",
                agent,
                limit("out_of_range"),
            ),
            (
                "/api/v1/applications?limit=101",
                officer,
                limit("out_of_range"),
            ),
            (
                "/api/v1/applications?limit=-1",
                agent,
                limit("out_of_range"),
            ),
            (
                "/api/v1/applications?limit=99999999999999999999",
                agent,
                (422, "invalid_query", None),
            ),
            (
                "/api/v1/applications?limit=abc",
                agent,
                (422, "invalid_query", None),
            ),
            (
                "/api/v1/applications?limit=",
                agent,
                (422, "invalid_query", None),
            ),
            (
                "/api/v1/applications?limit=1.5",
                agent,
                (422, "invalid_query", None),
            ),
            (
                "/api/v1/applications?status=bogus",
                agent,
                (422, "unknown_value", Some("status")),
            ),
            (
                "/api/v1/applications?status=",
                officer,
                (422, "unknown_value", Some("status")),
            ),
            (
                "/api/v1/applications?status=DRAFT",
                agent,
                (422, "unknown_value", Some("status")),
            ),
            (
                "/api/v1/applications?kind=bogus",
                agent,
                (422, "unknown_value", Some("kind")),
            ),
            (
                "/api/v1/applications?sort=id",
                agent,
                (422, "invalid_query", None),
            ),
            (
                "/api/v1/applications?cursor=nopipe",
                agent,
                (422, "invalid_cursor", Some("cursor")),
            ),
            ("/api/v1/employers?limit=0", admin, limit("out_of_range")),
            ("/api/v1/employers?limit=1000", admin, limit("out_of_range")),
            ("/api/v1/permits?limit=0", agent, limit("out_of_range")),
            ("/api/v1/permits?limit=1000", officer, limit("out_of_range")),
        ];
        for (path, token, want) in cases {
            let r = app.get(path, token).await;
            refused(&app, &before, path, &r, want).await;
        }
        // The edges of what is allowed.
        for (path, token) in [
            ("/api/v1/applications?limit=1", agent),
            ("/api/v1/applications?limit=100&status=draft", officer),
            (
                "/api/v1/applications?status=in_progress&kind=new_from_abroad",
                agent,
            ),
            ("/api/v1/applications?cursor=x%7Cy", agent),
            ("/api/v1/employers?cursor=zzz&limit=100", admin),
            ("/api/v1/permits?cursor=zzz&limit=1", officer),
        ] {
            let r = app.get(path, token).await;
            assert_eq!(r.status, 200, "{path}: {:?}", r.body);
        }
    })
    .await;
}

#[tokio::test]
async fn odd_bytes_never_500() {
    each_backend(|app| async move {
        let (employer, agent, officer) = app.cast().await;
        assert_eq!(
            app.post(APPS, &agent, &new_from_abroad("E30000004"))
                .await
                .status,
            201
        );
        let (agent, officer, admin) = (agent.as_str(), officer.as_str(), app.admin.as_str());
        let before = snapshot(&app).await;
        let not_found = (404, "not_found", None);
        let cases: Vec<(Method, String, &str, Want)> = vec![
            (Method::GET, format!("{APPS}/%00"), agent, not_found),
            (Method::GET, format!("{APPS}/a%00b"), officer, not_found),
            (Method::GET, format!("{APPS}/%FF%FE"), agent, not_found),
            (Method::POST, format!("{APPS}/%00/submit"), agent, not_found),
            (Method::GET, format!("{EMPLOYERS}/%00"), admin, not_found),
            (
                Method::GET,
                format!("{EMPLOYERS}/{employer}%00"),
                admin,
                not_found,
            ),
            (
                Method::GET,
                "/api/v1/permits/%00".into(),
                officer,
                not_found,
            ),
            (
                Method::GET,
                format!("{APPS}?cursor=%00%7C%00"),
                agent,
                (422, "invalid_query", None),
            ),
            (
                Method::GET,
                format!("{EMPLOYERS}?cursor=%00"),
                admin,
                (422, "invalid_query", None),
            ),
            (
                Method::GET,
                "/api/v1/permits?cursor=%00".into(),
                agent,
                (422, "invalid_query", None),
            ),
            (
                Method::GET,
                format!("{APPS}?status=draft%00"),
                officer,
                (422, "invalid_query", None),
            ),
        ];
        for (method, path, token, want) in cases {
            let label = format!("{method} {path}");
            let r = app.request(method, &path, token, None, &[]).await;
            refused(&app, &before, &label, &r, want).await;
        }
        let r = app
            .post(
                "/api/v1/sessions",
                "",
                &json!({ "username": "hr@a\u{0}", "password": PASSWORD }),
            )
            .await;
        refused(
            &app,
            &before,
            "NUL in username",
            &r,
            (401, "invalid_credentials", None),
        )
        .await;
        let r = app
            .post(
                "/api/v1/sessions",
                "",
                &json!({ "username": "hr@a", "password": "\u{0}" }),
            )
            .await;
        refused(
            &app,
            &before,
            "NUL password",
            &r,
            (401, "invalid_credentials", None),
        )
        .await;
    })
    .await;
}
