//! Bad input, field by field: missing, wrong-typed and unknown fields, and
//! oversize bodies. Exact status, code and field; nothing written.

use reqwest::Method;
use serde_json::{Value, json};

use crate::bad_input::*;
use crate::helpers::*;

#[tokio::test]
async fn missing_fields_name_their_path() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let form = new_from_abroad("E10000004");
        let before = snapshot(&app).await;
        for path in [
            "kind",
            "contract.end_date",
            "contract.start_date",
            "contract.annual_salary_cny",
            "contract.work_location_region",
            "foreigner.passport_number",
            "foreigner.name",
            "foreigner.nationality",
            "foreigner.date_of_birth",
            "foreigner.sex",
            "scoring.education",
            "scoring.chinese_language",
            // A whole section the kind needs: the rule names it.
            "contract",
            "foreigner",
            "scoring",
            "position",
        ] {
            let r = app.post(APPS, &agent, &edit(&form, path, None)).await;
            refused(&app, &before, path, &r, (422, "required", Some(path))).await;
        }
        let r = app.post(APPS, &agent, &json!({})).await;
        refused(&app, &before, "empty object", &r, (422, "required", Some("kind"))).await;
        let employer = json!({ "uscc": uscc("91440101MA5CXXXX1"), "name": "N", "region_code": "440106", "address": "A" });
        for path in ["uscc", "name", "region_code", "address"] {
            let r = app
                .post("/api/v1/employers", &app.admin, &edit(&employer, path, None))
                .await;
            refused(&app, &before, path, &r, (422, "required", Some(path))).await;
        }
        let user = json!({ "username": "new.user", "password": PASSWORD, "role": "admin" });
        for path in ["username", "password", "role"] {
            let r = app.post("/api/v1/users", &app.admin, &edit(&user, path, None)).await;
            refused(&app, &before, path, &r, (422, "required", Some(path))).await;
        }
    })
    .await;
}

#[tokio::test]
async fn wrong_types_and_values_name_the_field() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let form = new_from_abroad("E10000005");
        let before = snapshot(&app).await;
        let salary = "contract.annual_salary_cny";
        let cases: Vec<(&str, Value, &str)> = vec![
            (salary, json!("300000"), "invalid_type"),
            (salary, json!(1.5), "invalid_type"),
            (salary, json!(null), "invalid_type"),
            (salary, json!([300000]), "invalid_type"),
            (salary, json!(-1), "invalid_value"),
            (salary, json!(0), "must_be_positive"),
            ("contract.start_date", json!(20260101), "invalid_type"),
            ("contract.end_date", json!(true), "invalid_type"),
            ("contract.start_date", json!("2026-02-30"), "invalid_value"),
            ("contract.start_date", json!("yesterday"), "invalid_value"),
            ("contract.end_date", json!("2026-13-01"), "invalid_value"),
            ("contract.end_date", json!(""), "invalid_value"),
            (
                "foreigner.date_of_birth",
                json!("1970-02-29"),
                "invalid_value",
            ),
            (
                "contract.work_location_region",
                json!("999999"),
                "unknown_region_code",
            ),
            (
                "contract.work_location_region",
                json!("4401"),
                "invalid_region_code_format",
            ),
            (
                "contract.work_location_region",
                json!(440106),
                "invalid_type",
            ),
            ("foreigner", json!("Anno"), "invalid_type"),
            ("foreigner.sex", json!("robot"), "unknown_value"),
            (
                "foreigner.nationality",
                json!("XXX"),
                "unknown_nationality_code",
            ),
            (
                "foreigner.nationality",
                json!("DE"),
                "invalid_nationality_format",
            ),
            ("kind", json!("new_from_mars"), "unknown_value"),
            ("kind", json!(1), "invalid_type"),
            ("position", json!(""), "too_short"),
            ("position", json!("x".repeat(101)), "too_long"),
            ("position", json!("Pro\u{0}fessor"), "control_character"),
            ("materials", json!({}), "invalid_type"),
            (
                "scoring.related_experience_years",
                json!(-3),
                "invalid_value",
            ),
            ("scoring.education", json!("kindergarten"), "unknown_value"),
        ];
        for (path, value, code) in cases {
            let label = format!("{path} = {value}");
            let r = app
                .post(APPS, &agent, &edit(&form, path, Some(value)))
                .await;
            refused(&app, &before, &label, &r, (422, code, Some(path))).await;
        }
        // A list item is named with its index.
        let bad_material = edit(
            &form,
            "materials",
            Some(json!([{ "kind": "selfie", "file_name": "a.jpg" }])),
        );
        let r = app.post(APPS, &agent, &bad_material).await;
        let want = (422, "unknown_value", Some("materials[0].kind"));
        refused(&app, &before, "materials[0].kind", &r, want).await;
    })
    .await;
}

#[tokio::test]
async fn unknown_fields_are_refused() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let form = new_from_abroad("E10000006");
        let before = snapshot(&app).await;
        for path in ["salary", "contract.bonus", "foreigner.email", "scoring.points", "id", "status"] {
            let r = app.post(APPS, &agent, &edit(&form, path, Some(json!(1)))).await;
            refused(&app, &before, path, &r, (422, "unknown_field", Some(path))).await;
        }
        let employer = json!({ "uscc": uscc("91440101MA5CXXXX1"), "name": "N", "region_code": "440106", "address": "A", "phone": "1" });
        let r = app.post("/api/v1/employers", &app.admin, &employer).await;
        refused(&app, &before, "employer.phone", &r, (422, "unknown_field", Some("phone"))).await;
        let user = json!({ "username": "sneaky", "password": PASSWORD, "role": "admin", "is_superuser": true });
        let r = app.post("/api/v1/users", &app.admin, &user).await;
        let want = (422, "unknown_field", Some("is_superuser"));
        refused(&app, &before, "user.is_superuser", &r, want).await;
    })
    .await;
}

#[tokio::test]
async fn oversize_bodies_are_413() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let before = snapshot(&app).await;
        let big = edit(
            &new_from_abroad("E10000007"),
            "position",
            Some(json!("x".repeat(300 * 1024))),
        )
        .to_string();
        assert!(big.len() > zhengka_server::MAX_BODY_BYTES);
        let r = post_json_text(&app, APPS, &agent, &big).await;
        refused(
            &app,
            &before,
            "300 KiB",
            &r,
            (413, "payload_too_large", None),
        )
        .await;
        let key = [("idempotency-key", "big-1")];
        let ct = Some("application/json");
        let r = raw(&app, Method::POST, APPS, &agent, ct, big.clone(), &key).await;
        refused(
            &app,
            &before,
            "300 KiB with a key",
            &r,
            (413, "payload_too_large", None),
        )
        .await;
        let huge = "x".repeat(2 * 1024 * 1024);
        let r = raw(&app, Method::POST, APPS, &agent, ct, huge, &key).await;
        refused(
            &app,
            &before,
            "2 MiB with a key",
            &r,
            (413, "payload_too_large", None),
        )
        .await;
        let r = post_json_text(&app, "/api/v1/employers", &app.admin, &big).await;
        refused(
            &app,
            &before,
            "employers",
            &r,
            (413, "payload_too_large", None),
        )
        .await;
        // Just under the limit is read (and refused for its content, not its size).
        let near = edit(
            &new_from_abroad("E10000007"),
            "position",
            Some(json!("x".repeat(200 * 1024))),
        );
        let r = app.post(APPS, &agent, &near).await;
        refused(
            &app,
            &before,
            "200 KiB",
            &r,
            (422, "too_long", Some("position")),
        )
        .await;
    })
    .await;
}
