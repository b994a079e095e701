use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn sign_in_sign_out_and_token_checks() {
    each_backend(|app| async move {
        let me = app.get("/api/v1/users/me", &app.admin).await;
        assert_eq!((me.status, me.body["role"].as_str()), (200, Some("admin")));
        assert_eq!(
            app.get("/api/v1/users/me", "").await.error().0,
            "missing_token"
        );
        assert_eq!(
            app.get("/api/v1/users/me", "nonsense").await.error().0,
            "invalid_token"
        );
        let out = app
            .request(
                reqwest::Method::DELETE,
                "/api/v1/sessions/current",
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(out.status, 204);
        let again = app.get("/api/v1/users/me", &app.admin).await;
        assert_eq!((again.status, again.error().0), (401, "invalid_token"));
    })
    .await;
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_rate_limited() {
    each_backend(|app| async move {
        let bad = json!({ "username": "admin", "password": "not the password" });
        for _ in 0..5 {
            let r = app.post("/api/v1/sessions", "", &bad).await;
            assert_eq!((r.status, r.error().0), (401, "invalid_credentials"));
        }
        let r = app.post("/api/v1/sessions", "", &bad).await;
        assert_eq!((r.status, r.error().0), (429, "too_many_attempts"));
        // Even the right password waits out the lock.
        let good = json!({ "username": "admin", "password": PASSWORD });
        assert_eq!(app.post("/api/v1/sessions", "", &good).await.status, 429);
        // An unknown user gets the same answer as a wrong password.
        let r = app
            .post(
                "/api/v1/sessions",
                "",
                &json!({ "username": "nobody", "password": "x" }),
            )
            .await;
        assert_eq!((r.status, r.error().0), (401, "invalid_credentials"));
    })
    .await;
}
