//! Notices verify offline with the published trust and status lists, and stop
//! verifying once the permit is cancelled.

use chrono::Utc;
use serde_json::json;
use zhengka_credential::{Body, Purpose, Rejection, StatusList, TrustList, verify};

use crate::helpers::*;

async fn offline_verdict(app: &TestApp, qr: &str) -> Result<String, Rejection> {
    let now = Utc::now().timestamp();
    let trust =
        TrustList::from_signed(&app.bytes("/api/v1/trust-list").await, &app.anchor, now).unwrap();
    let status =
        StatusList::from_token(&app.bytes("/api/v1/status-lists/1").await, &trust).unwrap();
    verify(qr, &trust, Some(&status), now, Purpose::Notice).map(|v| match v.claims.body {
        Body::Notice { facts, .. } => facts.permit_number,
        other => panic!("not a notice: {other:?}"),
    })
}

async fn cancel(app: &TestApp, agent: &str, officer: &str, permit: &str) {
    let form = json!({ "kind": "cancellation", "permit_number": permit,
                       "cancellation": { "employment_ended_on": Utc::now().date_naive() } });
    app.approve(agent, officer, &form).await;
}

#[tokio::test]
async fn notice_verifies_offline_until_the_permit_is_cancelled() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("E88888888"))
            .await;
        let id = approved["id"].as_str().unwrap();
        let permit = approved["permit_number"].as_str().unwrap().to_owned();
        let notice = app
            .get(&format!("/api/v1/applications/{id}/notice"), &agent)
            .await;
        assert_eq!(notice.status, 200, "{:?}", notice.body);
        let qr = notice.body["qr"].as_str().unwrap().to_owned();
        assert!(qr.starts_with("ZK1:"));
        assert_eq!(offline_verdict(&app, &qr).await, Ok(permit.clone()));
        let pdf = app
            .client
            .get(format!("{}/api/v1/applications/{id}/notice.pdf", app.base))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-1.7"));
        cancel(&app, &agent, &officer, &permit).await;
        assert_eq!(offline_verdict(&app, &qr).await, Err(Rejection::Revoked));
        // The holder comes back: a new period, a new Notice; the old one stays revoked.
        let again = app
            .approve(&agent, &officer, &new_from_abroad("E88888888"))
            .await;
        assert_eq!(
            again["permit_number"],
            permit.as_str(),
            "the number is for life"
        );
        let new_qr = again["notice"]["qr"].as_str().unwrap().to_owned();
        assert_eq!(offline_verdict(&app, &new_qr).await, Ok(permit));
        assert_eq!(offline_verdict(&app, &qr).await, Err(Rejection::Revoked));
    })
    .await;
}

#[tokio::test]
async fn online_verification_shows_each_role_its_fields_and_is_audited() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("E99999999"))
            .await;
        let qr = approved["notice"]["qr"].as_str().unwrap().to_owned();
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let hospital = app.user("clinic", "relying_party", None, None).await;
        let body =
            json!({ "qr": qr, "purpose": "notice", "reason": "residence permit application" });
        let before = app.audit_count().await;
        let r = app.post("/api/v1/verifications", &police, &body).await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(true)),
            "{:?}",
            r.body
        );
        assert_eq!(r.body["permit"]["date_of_birth"], "1970-05-01");
        let r = app.post("/api/v1/verifications", &hospital, &body).await;
        assert_eq!(r.body["permit"]["holder_name"], "ANNO BERNHARD DEDERICHS");
        assert!(
            r.body["permit"].get("date_of_birth").is_none(),
            "a hospital does not see the birth date"
        );
        assert_eq!(
            app.audit_count().await,
            before + 2,
            "every verification is logged"
        );
        let forged = app
            .post(
                "/api/v1/verifications",
                &police,
                &json!({ "qr": format!("{qr}A"), "purpose": "notice" }),
            )
            .await;
        assert_eq!(forged.body["valid"], json!(false));
        assert_eq!(
            app.post("/api/v1/verifications", &agent, &body)
                .await
                .status,
            403
        );
        let draft = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E10101010"),
            )
            .await;
        let none = app
            .get(
                &format!(
                    "/api/v1/applications/{}/notice",
                    draft.body["id"].as_str().unwrap()
                ),
                &agent,
            )
            .await;
        assert_eq!((none.status, none.error().0), (409, "no_notice"));
    })
    .await;
}
