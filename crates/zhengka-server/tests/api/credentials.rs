//! Notices verify offline with the published trust and status lists, and stop
//! verifying once the permit is cancelled.

use chrono::{Days, Utc};
use serde_json::json;
use zhengka_credential::{Body, PermitFacts, Purpose, Rejection, StatusList, TrustList, verify};

use crate::helpers::*;

/// The facts of a Notice verified offline against freshly downloaded lists.
async fn offline_facts(app: &TestApp, qr: &str) -> Result<PermitFacts, Rejection> {
    let now = Utc::now().timestamp();
    let trust =
        TrustList::from_signed(&app.bytes("/api/v1/trust-list").await, &app.anchor, now).unwrap();
    let status =
        StatusList::from_token(&app.bytes("/api/v1/status-lists/1").await, &trust).unwrap();
    verify(qr, &trust, Some(&status), now, Purpose::Notice).map(|v| match v.claims.body {
        Body::Notice { facts, .. } => facts,
        other => panic!("not a notice: {other:?}"),
    })
}

async fn offline_verdict(app: &TestApp, qr: &str) -> Result<String, Rejection> {
    offline_facts(app, qr).await.map(|f| f.permit_number)
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

/// The Notice an application's approval issued, as the employer downloads it.
async fn notice_of(app: &TestApp, agent: &str, approved: &serde_json::Value) -> String {
    let id = approved["id"].as_str().unwrap();
    let notice = app
        .get(&format!("/api/v1/applications/{id}/notice"), agent)
        .await;
    assert_eq!(notice.status, 200, "{:?}", notice.body);
    assert_eq!(notice.body["permit_number"], approved["permit_number"]);
    notice.body["qr"].as_str().unwrap().to_owned()
}

/// The online verdict a police officer gets for a Notice.
async fn online(app: &TestApp, police: &str, qr: &str) -> serde_json::Value {
    let body = json!({ "qr": qr, "purpose": "notice", "reason": "residence permit application" });
    let r = app.post("/api/v1/verifications", police, &body).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// `qr` fails as revoked, online and offline.
async fn assert_revoked(app: &TestApp, police: &str, qr: &str, what: &str) {
    assert_eq!(
        offline_facts(app, qr).await,
        Err(Rejection::Revoked),
        "{what}"
    );
    let verdict = online(app, police, qr).await;
    assert_eq!(
        (&verdict["valid"], &verdict["reason"]),
        (&json!(false), &json!("revoked")),
        "{what}"
    );
}

#[tokio::test]
async fn extension_and_change_revoke_the_earlier_notice() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let approved = app
            .approve(&agent, &officer, &new_from_abroad("E77777777"))
            .await;
        let number = approved["permit_number"].as_str().unwrap().to_owned();
        let first = notice_of(&app, &agent, &approved).await;
        let before = offline_facts(&app, &first).await.unwrap();

        // Extension: a new end date, a new Notice; the first one is revoked.
        let start = Utc::now().date_naive() + Days::new(20);
        let extension = json!({ "kind": "extension", "permit_number": number,
            "contract": { "start_date": start, "end_date": start + Days::new(1500),
                          "annual_salary_cny": 300000, "work_location_region": "440106" },
            "scoring": { "education": "doctorate", "related_experience_years": 10,
                         "months_per_year_in_china": 12, "chinese_language": "hsk3" } });
        let extended = app.approve(&agent, &officer, &extension).await;
        let second = notice_of(&app, &agent, &extended).await;
        let permit = app.get(&format!("/api/v1/permits/{number}"), &agent).await;
        let valid_to = permit.body["valid_to"].as_str().unwrap().to_owned();
        assert!(
            valid_to > before.valid_to,
            "{valid_to} extends {}",
            before.valid_to
        );
        assert_revoked(&app, &police, &first, "the Notice before the extension").await;
        let facts = offline_facts(&app, &second).await.unwrap();
        assert_eq!(
            (facts.permit_number.as_str(), facts.valid_to.as_str()),
            (number.as_str(), valid_to.as_str())
        );
        let verdict = online(&app, &police, &second).await;
        assert_eq!(
            (&verdict["valid"], &verdict["permit"]["valid_to"]),
            (&json!(true), &json!(valid_to))
        );

        // Change of position: the extension's Notice is revoked in turn.
        let change = json!({ "kind": "change", "permit_number": number,
            "change": { "changed_on": Utc::now().date_naive(), "new_position": "Dean" } });
        let changed = app.approve(&agent, &officer, &change).await;
        let third = notice_of(&app, &agent, &changed).await;
        assert_revoked(&app, &police, &second, "the Notice before the change").await;
        assert_revoked(&app, &police, &first, "the first Notice").await;
        let facts = offline_facts(&app, &third).await.unwrap();
        assert_eq!(
            (facts.position.as_str(), facts.valid_to.as_str()),
            ("Dean", valid_to.as_str())
        );
        let verdict = online(&app, &police, &third).await;
        assert_eq!(
            (&verdict["valid"], &verdict["permit"]["position"]),
            (&json!(true), &json!("Dean"))
        );
    })
    .await;
}
