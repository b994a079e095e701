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

/// The admin moves an employer agent to a permit officer's desk: the scope
/// the new role needs is checked, the old session ends, the person signs in
/// again as an officer of the region, and one audit event says from what to what.
#[tokio::test]
async fn the_admin_changes_a_role_and_region_audited_once() {
    each_backend(|app| async move {
        let (employer, agent, officer) = app.cast().await;
        let me = app.get("/api/v1/users/me", &agent).await;
        let id = me.body["id"].as_str().unwrap().to_owned();
        let admin_me = app.get("/api/v1/users/me", &app.admin).await;
        let admin_id = admin_me.body["id"].as_str().unwrap().to_owned();
        let put = |path: String, token: String, body: serde_json::Value| {
            let app = &app;
            async move {
                app.request(reqwest::Method::PUT, &path, &token, Some(&body), &[])
                    .await
            }
        };
        let path = format!("/api/v1/users/{id}/role");
        let before = app.audit_count().await;
        let officer_desk = json!({ "role": "permit_officer", "region_code": "440100" });
        let r = put(path.clone(), officer.clone(), officer_desk.clone()).await;
        assert_eq!(r.status, 403, "only the admin");
        let r = put(
            path.clone(),
            app.admin.clone(),
            json!({ "role": "permit_officer" }),
        )
        .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("required", Some("region_code")))
        );
        let r = put(
            path.clone(),
            app.admin.clone(),
            json!({ "role": "permit_officer", "region_code": "440100", "employer_id": employer }),
        )
        .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("not_allowed_for_role", Some("employer_id")))
        );
        let r = put(
            path.clone(),
            app.admin.clone(),
            json!({ "role": "employer_agent", "employer_id": "nope" }),
        )
        .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unknown_employer", Some("employer_id")))
        );
        let r = put(path.clone(), app.admin.clone(), json!({ "role": "wizard" })).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        let r = put(
            format!("/api/v1/users/{admin_id}/role"),
            app.admin.clone(),
            json!({ "role": "police_officer", "region_code": "440000" }),
        )
        .await;
        assert_eq!((r.status, r.error().0), (409, "cannot_change_own_role"));
        let r = put(
            "/api/v1/users/nobody/role".into(),
            app.admin.clone(),
            officer_desk.clone(),
        )
        .await;
        assert_eq!(r.status, 404);
        assert_eq!(app.audit_count().await, before, "refusals write nothing");

        let r = put(path.clone(), app.admin.clone(), officer_desk).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            (
                &r.body["role"],
                &r.body["region_code"],
                &r.body["employer_id"]
            ),
            (&json!("permit_officer"), &json!("440100"), &json!(null))
        );
        assert_eq!(
            app.get("/api/v1/users/me", &agent).await.status,
            401,
            "session ended"
        );
        let again = app.login("hr@a").await;
        let me = app.get("/api/v1/users/me", &again).await;
        assert_eq!(
            (me.body["role"].as_str(), me.body["region_code"].as_str()),
            (Some("permit_officer"), Some("440100"))
        );
        assert_eq!(app.get("/api/v1/applications", &again).await.status, 200);
        let events = app.audit_events_all().await;
        let changed: Vec<_> = events
            .iter()
            .filter(|e| e.action == "user.role_changed")
            .collect();
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].entity_id, id);
        assert_eq!(changed[0].details["from"]["role"], "employer_agent");
        assert_eq!(changed[0].details["from"]["employer_id"], employer.as_str());
        assert_eq!(changed[0].details["to"]["region_code"], "440100");
    })
    .await;
}
