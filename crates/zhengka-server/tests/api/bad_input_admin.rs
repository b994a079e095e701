//! Bad input for employers and users: exact status, code and field, and
//! nothing written.

use serde_json::{Value, json};

use crate::bad_input::*;
use crate::helpers::*;

const EMPLOYERS: &str = "/api/v1/employers";
const USERS: &str = "/api/v1/users";

#[tokio::test]
async fn employer_registration_refusals() {
    each_backend(|app| async move {
        app.cast().await;
        let valid = json!({ "uscc": uscc("91440101MA5CXXXX1"), "name": "New Co", "region_code": "440106", "address": "2 Test Road" });
        let before = snapshot(&app).await;
        let cases: Vec<(&str, Value, u16, &str)> = vec![
            ("uscc", json!("91350100M000100Y44"), 422, "invalid_uscc_check_character"),
            ("uscc", json!("91350100M000100Y4"), 422, "invalid_uscc_length"),
            ("uscc", json!("91350100M000100Y433"), 422, "invalid_uscc_length"),
            ("uscc", json!(""), 422, "invalid_uscc_length"),
            ("uscc", json!("91350100O000100Y43"), 422, "invalid_uscc_character"),
            ("uscc", json!("91350100M000100Y4!"), 422, "invalid_uscc_character"),
            ("uscc", json!(91350100), 422, "invalid_type"),
            ("uscc", json!(USCC_A), 409, "uscc_taken"),
            ("uscc", json!(USCC_A.to_lowercase()), 409, "uscc_taken"),
            ("uscc", json!(format!(" {USCC_A} ")), 409, "uscc_taken"),
            ("region_code", json!("999999"), 422, "unknown_region_code"),
            ("region_code", json!("44010"), 422, "invalid_region_code_format"),
            ("region_code", json!("abcdef"), 422, "invalid_region_code_format"),
            ("region_code", json!(440106), 422, "invalid_type"),
            ("name", json!(""), 422, "too_short"),
            ("name", json!("   "), 422, "too_short"),
            ("name", json!("x".repeat(201)), 422, "too_long"),
            ("address", json!("Road\u{7}"), 422, "control_character"),
        ];
        for (field, value, status, code) in cases {
            let label = format!("{field} = {value}");
            let r = app
                .post(EMPLOYERS, &app.admin, &edit(&valid, field, Some(value)))
                .await;
            refused(&app, &before, &label, &r, (status, code, Some(field))).await;
        }
        let list = app.get(EMPLOYERS, &app.admin).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn user_creation_refusals() {
    each_backend(|app| async move {
        let (employer, _, _) = app.cast().await;
        let agent = json!({ "username": "hr2@a", "password": PASSWORD, "role": "employer_agent", "employer_id": employer });
        let officer = json!({ "username": "officer2", "password": PASSWORD, "role": "permit_officer", "region_code": "440000" });
        let before = snapshot(&app).await;
        type Case<'a> = (&'a str, Value, &'a str, Option<Value>, u16, &'a str);
        let cases: Vec<Case> = vec![
            ("weak password", agent.clone(), "password", Some(json!("short")), 422, "password_too_short"),
            ("11 characters", agent.clone(), "password", Some(json!("x".repeat(11))), 422, "password_too_short"),
            ("long password", agent.clone(), "password", Some(json!("x".repeat(257))), 422, "password_too_long"),
            ("short username", agent.clone(), "username", Some(json!("ab")), 422, "invalid_username"),
            ("spaced username", agent.clone(), "username", Some(json!("h r")), 422, "invalid_username"),
            ("taken username", agent.clone(), "username", Some(json!("hr@a")), 409, "username_taken"),
            ("taken, other case", agent.clone(), "username", Some(json!("HR@A")), 409, "username_taken"),
            ("taken, admin", officer.clone(), "username", Some(json!("admin")), 409, "username_taken"),
            ("agent without employer", agent.clone(), "employer_id", None, 422, "required"),
            ("unknown employer", agent.clone(), "employer_id", Some(json!("no-such")), 422, "unknown_employer"),
            ("NUL employer", agent.clone(), "employer_id", Some(json!("a\u{0}b")), 422, "unknown_employer"),
            ("agent with region", agent.clone(), "region_code", Some(json!("440000")), 422, "not_allowed_for_role"),
            ("officer without region", officer.clone(), "region_code", None, 422, "required"),
            ("officer, unknown region", officer.clone(), "region_code", Some(json!("999999")), 422, "unknown_region_code"),
            ("officer with employer", officer.clone(), "employer_id", Some(json!(employer)), 422, "not_allowed_for_role"),
            ("unknown role", officer.clone(), "role", Some(json!("superuser")), 422, "unknown_value"),
            ("numeric role", officer.clone(), "role", Some(json!(1)), 422, "invalid_type"),
            ("password as number", officer.clone(), "password", Some(json!(123456789012345_u64)), 422, "invalid_type"),
        ];
        for (label, body, field, value, status, code) in cases {
            let r = app.post(USERS, &app.admin, &edit(&body, field, value)).await;
            refused(&app, &before, label, &r, (status, code, Some(field))).await;
        }
        for role in ["social_security_officer", "police_officer", "card_officer"] {
            let body = edit(&officer, "role", Some(json!(role)));
            let r = app.post(USERS, &app.admin, &edit(&body, "region_code", None)).await;
            refused(&app, &before, role, &r, (422, "required", Some("region_code"))).await;
        }
        let admin_with_region = edit(&officer, "role", Some(json!("admin")));
        let r = app.post(USERS, &app.admin, &admin_with_region).await;
        let want = (422, "not_allowed_for_role", Some("region_code"));
        refused(&app, &before, "admin with region", &r, want).await;
        // None of them can sign in.
        let r = app
            .post("/api/v1/sessions", "", &json!({ "username": "hr2@a", "password": PASSWORD }))
            .await;
        assert_eq!((r.status, r.error().0), (401, "invalid_credentials"));
    })
    .await;
}
