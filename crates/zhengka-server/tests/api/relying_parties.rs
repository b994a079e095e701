//! The registry of relying parties and their API credentials: registration
//! rules, a credential shown once and kept hashed, wrong, revoked and
//! rate-limited credentials refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn hospital(rate: u32) -> Value {
    json!({ "name": "Guangzhou First People's Hospital", "sector": "healthcare",
            "region_code": "440100", "purposes": ["healthcare", "pharmacy"],
            "rate_limit_per_minute": rate })
}

#[tokio::test]
async fn the_admin_registers_organisations_with_their_purposes() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        assert_eq!(
            app.post("/api/v1/relying-parties", &agent, &hospital(60))
                .await
                .status,
            403
        );
        let r = app
            .post("/api/v1/relying-parties", &app.admin, &hospital(60))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["purposes"], json!(["healthcare", "pharmacy"]));
        let cases = [
            (
                json!({ "purposes": ["residence_permit"] }),
                "purposes",
                "police_only_purpose",
            ),
            (json!({ "purposes": [] }), "purposes", "no_purposes"),
            (json!({ "sector": "casino" }), "sector", "unknown_sector"),
            (
                json!({ "region_code": "999999" }),
                "region_code",
                "unknown_region_code",
            ),
            (
                json!({ "rate_limit_per_minute": 0 }),
                "rate_limit_per_minute",
                "out_of_range",
            ),
        ];
        for (change, field, code) in cases {
            let mut body = hospital(60);
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let r = app.post("/api/v1/relying-parties", &app.admin, &body).await;
            assert_eq!(
                (r.status, r.error()),
                (422, (code, Some(field))),
                "{change}"
            );
        }
        let id = r.body["id"].as_str().unwrap();
        let mut changed = hospital(120);
        changed["purposes"] = json!(["healthcare"]);
        let r = app
            .request(
                Method::PUT,
                &format!("/api/v1/relying-parties/{id}"),
                &app.admin,
                Some(&changed),
                &[],
            )
            .await;
        assert_eq!(
            (r.status, r.body["rate_limit_per_minute"].as_u64()),
            (200, Some(120))
        );
        let list = app.get("/api/v1/relying-parties", &app.admin).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn an_api_credential_is_shown_once_and_refused_when_wrong_revoked_or_too_fast() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("RP0000001"))
            .await;
        let id = approved["id"].as_str().unwrap();
        let qr = app
            .get(&format!("/api/v1/applications/{id}/notice"), &agent)
            .await
            .body["qr"]
            .clone();
        let org = app
            .post("/api/v1/relying-parties", &app.admin, &hospital(3))
            .await
            .body;
        let org_id = org["id"].as_str().unwrap();
        let path = format!("/api/v1/relying-parties/{org_id}/credentials");
        let issued = app
            .request(
                Method::POST,
                &path,
                &app.admin,
                Some(&json!({})),
                &[("idempotency-key", "k-1")],
            )
            .await;
        assert_eq!(issued.status, 201, "{:?}", issued.body);
        let token = issued.body["token"].as_str().unwrap().to_owned();
        let secret = token.rsplit('_').next().unwrap().to_owned();
        let check = json!({ "qr": qr, "purpose": "notice" });
        let ok = app.post("/api/v1/verifications", &token, &check).await;
        assert_eq!(
            (ok.status, ok.body["valid"].as_bool()),
            (200, Some(true)),
            "{:?}",
            ok.body
        );
        let wrong = format!(
            "{}{}",
            &token[..token.len() - 1],
            if token.ends_with('0') { '1' } else { '0' }
        );
        let r = app.post("/api/v1/verifications", &wrong, &check).await;
        assert_eq!((r.status, r.error().0), (401, "invalid_token"));
        // The organisation's limit is 3 a minute; the wrong one counted none.
        app.post("/api/v1/verifications", &token, &check).await;
        app.post("/api/v1/verifications", &token, &check).await;
        let r = app.post("/api/v1/verifications", &token, &check).await;
        assert_eq!((r.status, r.error().0), (429, "too_many_attempts"));
        // Never kept in clear: not in the audit trail nor an idempotency record.
        let raw = app.raw().await;
        let rows: Vec<(String,)> = sqlx::query_as("SELECT details FROM audit_events")
            .fetch_all(&raw)
            .await
            .unwrap();
        assert!(rows.iter().all(|(d,)| !d.contains(&secret)));
        let shown = app
            .get(&format!("/api/v1/relying-parties/{org_id}"), &app.admin)
            .await;
        assert!(!shown.body.to_string().contains(&secret));
        let cid = issued.body["id"].as_str().unwrap();
        let revoke = app
            .request(
                Method::DELETE,
                &format!("{path}/{cid}"),
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(revoke.status, 204);
        let r = app.post("/api/v1/verifications", &token, &check).await;
        assert_eq!((r.status, r.error().0), (401, "credential_revoked"));
        let again = app
            .request(
                Method::DELETE,
                &format!("{path}/{cid}"),
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(
            (again.status, again.error().0),
            (404, "credential_not_found")
        );
    })
    .await;
}
