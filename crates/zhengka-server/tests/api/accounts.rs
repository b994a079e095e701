//! The admin's actions on accounts: switch off (sessions end, sign-in
//! refused) and on, unlock after too many attempts, a one-time password
//! reset link. Each answered precisely and audited once.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn an_account_switched_off_signs_in_no_more_until_switched_on() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let me = app.get("/api/v1/users/me", &officer).await;
        let id = me.body["id"].as_str().unwrap().to_owned();
        let admin_me = app.get("/api/v1/users/me", &app.admin).await;
        let admin_id = admin_me.body["id"].as_str().unwrap().to_owned();
        let before = app.audit_count().await;
        let r = app
            .post(&format!("/api/v1/users/{id}/disable"), &agent, &json!(null))
            .await;
        assert_eq!(r.status, 403, "only the admin");
        let r = app
            .post(
                &format!("/api/v1/users/{admin_id}/disable"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (409, "cannot_disable_self"));
        let r = app
            .post("/api/v1/users/nobody/disable", &app.admin, &json!(null))
            .await;
        assert_eq!(r.status, 404);
        let r = app
            .post(
                &format!("/api/v1/users/{id}/explode"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (404, "not_found"));
        assert_eq!(app.audit_count().await, before, "refusals write nothing");

        let r = app
            .post(
                &format!("/api/v1/users/{id}/disable"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            app.get("/api/v1/users/me", &officer).await.status,
            401,
            "session ended"
        );
        let creds = json!({ "username": "officer.gd", "password": PASSWORD });
        let r = app.post("/api/v1/sessions", "", &creds).await;
        assert_eq!((r.status, r.error().0), (401, "account_disabled"));
        let r = app
            .post(
                &format!("/api/v1/users/{id}/enable"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(app.post("/api/v1/sessions", "", &creds).await.status, 201);
        assert_eq!(
            app.audit_count().await,
            before + 3,
            "disable, enable, the sign-in"
        );
    })
    .await;
}

#[tokio::test]
async fn an_admin_unlocks_a_sign_in_and_a_reset_link_works_once() {
    each_backend(|app| async move {
        let (_, _, officer) = app.cast().await;
        let id = app.get("/api/v1/users/me", &officer).await.body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let wrong = json!({ "username": "officer.gd", "password": "not the password at all" });
        for _ in 0..5 {
            assert_eq!(app.post("/api/v1/sessions", "", &wrong).await.status, 401);
        }
        let creds = json!({ "username": "officer.gd", "password": PASSWORD });
        assert_eq!(
            app.post("/api/v1/sessions", "", &creds).await.status,
            429,
            "locked"
        );
        let r = app
            .post(
                &format!("/api/v1/users/{id}/unlock"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            app.post("/api/v1/sessions", "", &creds).await.status,
            201,
            "unlocked"
        );

        let link = app
            .post(
                &format!("/api/v1/users/{id}/password-reset"),
                &app.admin,
                &json!(null),
            )
            .await;
        assert_eq!(link.status, 201, "{:?}", link.body);
        let path = link.body["path"].as_str().unwrap();
        let token = path
            .strip_prefix("/web/password-reset/")
            .unwrap()
            .to_owned();
        let redeem = |password: &str| json!({ "token": token, "password": password });
        let r = app
            .post("/api/v1/password-resets", "", &redeem("short"))
            .await;
        assert_eq!(r.error(), ("password_too_short", Some("password")));
        let r = app
            .post(
                "/api/v1/password-resets",
                "",
                &json!({ "token": "x", "password": "a new long password" }),
            )
            .await;
        assert_eq!((r.status, r.error().0), (404, "reset_link_not_found"));
        let new = "a new long password";
        let r = app.post("/api/v1/password-resets", "", &redeem(new)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            app.get("/api/v1/users/me", &officer).await.status,
            401,
            "sessions ended"
        );
        assert_eq!(
            app.post("/api/v1/sessions", "", &creds).await.status,
            401,
            "old password"
        );
        let fresh = json!({ "username": "officer.gd", "password": new });
        assert_eq!(app.post("/api/v1/sessions", "", &fresh).await.status, 201);
        let r = app
            .post(
                "/api/v1/password-resets",
                "",
                &redeem("another long password"),
            )
            .await;
        assert_eq!(
            (r.status, r.error().0),
            (404, "reset_link_not_found"),
            "once"
        );
        let audit = app
            .get("/api/v1/audit?action=user.password_reset", &app.admin)
            .await;
        assert_eq!(
            audit.body["items"].as_array().map(Vec::len),
            Some(1),
            "{:?}",
            audit.body
        );
    })
    .await;
}
