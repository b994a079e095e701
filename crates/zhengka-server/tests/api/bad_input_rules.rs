//! Bad input against the domain rules, the workflow, roles and ownership:
//! exact status, code and field, and nothing written.

use chrono::{Days, Months, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::bad_input::*;
use crate::helpers::*;

#[tokio::test]
async fn form_rules_name_the_field() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let today = Utc::now().date_naive();
        let start = today + Days::new(20);
        let form = new_from_abroad("E20000001");
        let before = snapshot(&app).await;
        let end = "contract.end_date";
        let dob = "foreigner.date_of_birth";
        let cases: Vec<(&str, Value, (&str, &str))> = vec![
            (end, json!(start - Days::new(1)), ("end_before_start", end)),
            (end, json!(start + Days::new(59)), ("contract_too_short", end)),
            ("contract", json!({ "start_date": today - Days::new(400), "end_date": today - Days::new(10),
                "annual_salary_cny": 300000, "work_location_region": "440106" }), ("contract_already_ended", end)),
            ("foreigner.nationality", json!("CHN"), ("not_a_foreigner", "foreigner.nationality")),
            ("foreigner.nationality", json!("chn"), ("not_a_foreigner", "foreigner.nationality")),
            (dob, json!(today - Months::new(12 * 10)), ("under_age", dob)),
            (dob, json!(today + Days::new(1)), ("date_in_future", dob)),
            ("cancellation", json!({ "employment_ended_on": today }), ("not_allowed_for_kind", "cancellation")),
            ("short_term", json!({ "situation": "filming", "no_criminal_record_pledge": true }), ("not_allowed_for_kind", "short_term")),
            ("permit_number", json!("4401000000000000042"), ("not_allowed_for_kind", "permit_number")),
            ("original_notice", json!({ "notice_number": "N0001", "issued_on": "2020-01-01" }), ("not_allowed_for_kind", "original_notice")),
            ("kind", json!("extension"), ("not_allowed_for_kind", "foreigner")),
            ("kind", json!("reissue_notice"), ("required", "original_notice")),
        ];
        for (path, value, (code, field)) in cases {
            let label = format!("{path} = {value}");
            let r = app.post(APPS, &agent, &edit(&form, path, Some(value))).await;
            refused(&app, &before, &label, &r, (422, code, Some(field))).await;
        }
        let bare = |kind: &str| json!({ "kind": kind });
        for (kind, section) in [
            ("extension", "contract"),
            ("change", "permit_number"),
            ("cancellation", "permit_number"),
            ("renew_electronic", "permit_number"),
            ("short_term", "foreigner"),
        ] {
            let r = app.post(APPS, &agent, &bare(kind)).await;
            refused(&app, &before, kind, &r, (422, "required", Some(section))).await;
        }
        let change = json!({ "kind": "change", "permit_number": "4401000000000000042", "change": { "changed_on": today } });
        let r = app.post(APPS, &agent, &change).await;
        refused(&app, &before, "empty change", &r, (422, "nothing_to_change", Some("change"))).await;
        // Short-term work: 90 days at most, with the pledge.
        let mut short = edit(&form, "scoring", None);
        short["kind"] = json!("short_term");
        short["short_term"] = json!({ "situation": "filming", "no_criminal_record_pledge": false });
        short["contract"]["end_date"] = json!(start + Days::new(29));
        let r = app.post(APPS, &agent, &short).await;
        let field = Some("short_term.no_criminal_record_pledge");
        refused(&app, &before, "no pledge", &r, (422, "pledge_required", field)).await;
        short["short_term"]["no_criminal_record_pledge"] = json!(true);
        short["contract"]["end_date"] = json!(start + Days::new(120));
        let r = app.post(APPS, &agent, &short).await;
        refused(&app, &before, "long short-term", &r, (422, "contract_too_long", Some(end))).await;
        let list = app.get(APPS, &agent).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 0);
    })
    .await;
}

#[tokio::test]
async fn another_employers_permit_is_not_found() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let rival_employer = app.employer(&uscc("91440300MA5DYYYY1"), "440305").await;
        let rival = app
            .user("hr@rival", "employer_agent", Some(&rival_employer), None)
            .await;
        let approved = app.approve(&rival, &officer, &new_from_abroad("E20000002")).await;
        let theirs = approved["permit_number"].as_str().unwrap().to_owned();
        let today = Utc::now().date_naive();
        let start = today + Days::new(20);
        let extension = json!({ "kind": "extension", "permit_number": theirs,
            "contract": { "start_date": start, "end_date": start + Days::new(700), "annual_salary_cny": 300000, "work_location_region": "440106" },
            "scoring": { "education": "doctorate", "related_experience_years": 10, "months_per_year_in_china": 12, "chinese_language": "hsk3" } });
        let before = snapshot(&app).await;
        let not_found = (422, "permit_not_found", Some("permit_number"));
        let r = app.post(APPS, &agent, &extension).await;
        refused(&app, &before, "their extension", &r, not_found).await;
        let cancel = json!({ "kind": "cancellation", "permit_number": theirs, "cancellation": { "employment_ended_on": today } });
        let r = app.post(APPS, &agent, &cancel).await;
        refused(&app, &before, "their cancellation", &r, not_found).await;
        let renew = json!({ "kind": "renew_electronic", "permit_number": theirs.to_lowercase() });
        let r = app.post(APPS, &agent, &renew).await;
        refused(&app, &before, "their renewal, lower case", &r, not_found).await;
        let r = app
            .post(APPS, &agent, &edit(&extension, "permit_number", Some(json!("4401000000000000042"))))
            .await;
        refused(&app, &before, "unknown permit", &r, not_found).await;
        for (number, code) in [("AB12", "invalid_permit_number_length"), ("AB-1234567", "invalid_permit_number")] {
            let r = app
                .post(APPS, &agent, &edit(&extension, "permit_number", Some(json!(number))))
                .await;
            refused(&app, &before, number, &r, (422, code, Some("permit_number"))).await;
        }
        // Their permit record is absent for us, whatever we try.
        let path = format!("/api/v1/permits/{theirs}");
        let r = app.get(&path, &agent).await;
        refused(&app, &before, "GET their permit", &r, (404, "not_found", None)).await;
        let r = app.post(&format!("{path}/entry"), &agent, &json!({ "entry_date": today })).await;
        refused(&app, &before, "their entry", &r, (404, "not_found", None)).await;
        let r = app.get("/api/v1/permits/not-a-number", &agent).await;
        refused(&app, &before, "malformed number", &r, (404, "not_found", None)).await;
    })
    .await;
}

async fn decide(app: &TestApp, officer: &str, id: &str, body: Value) -> Response {
    app.post(&format!("{APPS}/{id}/decisions"), officer, &body)
        .await
}

#[tokio::test]
async fn workflow_conflicts_are_409() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let form = new_from_abroad("E20000003");
        let created = app.post(APPS, &agent, &form).await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let submit = format!("{APPS}/{id}/submit");
        let pass = |step: &str| json!({ "step": step, "outcome": "pass" });
        let conflict = (409, "invalid_transition", None);
        let before = snapshot(&app).await;
        let r = decide(&app, &officer, &id, pass("accept")).await;
        refused(&app, &before, "accept a draft", &r, conflict).await;
        // PUT with another kind, and with a form that breaks a rule.
        let put = |body: Value| {
            let path = format!("{APPS}/{id}");
            let agent = agent.clone();
            let app = &app;
            async move {
                app.request(Method::PUT, &path, &agent, Some(&body), &[])
                    .await
            }
        };
        let mut short = edit(&form, "scoring", None);
        short["kind"] = json!("short_term");
        let r = put(short).await;
        refused(
            &app,
            &before,
            "kind change",
            &r,
            (422, "kind_cannot_change", Some("kind")),
        )
        .await;
        let r =
            put(json!({ "kind": "cancellation", "permit_number": "4401000000000000042" })).await;
        refused(
            &app,
            &before,
            "kind change 2",
            &r,
            (422, "kind_cannot_change", Some("kind")),
        )
        .await;
        let early = edit(&form, "contract.end_date", Some(json!("2000-01-01")));
        let r = put(early).await;
        let field = Some("contract.end_date");
        refused(
            &app,
            &before,
            "PUT end before start",
            &r,
            (422, "end_before_start", field),
        )
        .await;

        assert_eq!(app.post(&submit, &agent, &json!(null)).await.status, 200);
        let before = snapshot(&app).await;
        let r = app.post(&submit, &agent, &json!(null)).await;
        refused(&app, &before, "submit twice", &r, conflict).await;
        let r = put(form.clone()).await;
        refused(
            &app,
            &before,
            "PUT submitted",
            &r,
            (409, "not_editable", None),
        )
        .await;
        for step in ["preliminary_review", "approve"] {
            let r = decide(&app, &officer, &id, pass(step)).await;
            refused(&app, &before, &format!("skip to {step}"), &r, conflict).await;
        }
        let bad_decisions = [
            (
                json!({ "step": "skip", "outcome": "pass" }),
                ("unknown_value", "step"),
            ),
            (
                json!({ "step": "accept", "outcome": "maybe" }),
                ("unknown_value", "outcome"),
            ),
            (
                json!({ "step": 3, "outcome": "pass" }),
                ("invalid_type", "step"),
            ),
            (
                json!({ "step": "accept", "outcome": "return" }),
                ("comment_required", "comment"),
            ),
            (
                json!({ "step": "accept", "outcome": "reject", "comment": "   " }),
                ("too_short", "comment"),
            ),
            (
                json!({ "step": "accept", "outcome": "pass", "note": "x" }),
                ("unknown_field", "note"),
            ),
            (json!({ "outcome": "pass" }), ("required", "step")),
        ];
        for (body, (code, field)) in bad_decisions {
            let label = body.to_string();
            let r = decide(&app, &officer, &id, body).await;
            refused(&app, &before, &label, &r, (422, code, Some(field))).await;
        }
        for step in ["accept", "preliminary_review"] {
            assert_eq!(decide(&app, &officer, &id, pass(step)).await.status, 200);
            let before = snapshot(&app).await;
            let r = decide(&app, &officer, &id, pass(step)).await;
            refused(&app, &before, &format!("{step} twice"), &r, conflict).await;
        }
        let approver = app.approver().await;
        assert_eq!(
            decide(&app, &approver, &id, pass("approve")).await.status,
            200
        );
        let before = snapshot(&app).await;
        let r = decide(&app, &officer, &id, pass("approve")).await;
        refused(&app, &before, "approve twice", &r, conflict).await;
        let reject = json!({ "step": "approve", "outcome": "reject", "comment": "too late" });
        let r = decide(&app, &officer, &id, reject).await;
        refused(&app, &before, "reject approved", &r, conflict).await;
        let r = app.post(&submit, &agent, &json!(null)).await;
        refused(&app, &before, "submit approved", &r, conflict).await;
        let r = put(form.clone()).await;
        refused(
            &app,
            &before,
            "PUT approved",
            &r,
            (409, "not_editable", None),
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn wrong_role_is_403_and_others_records_404() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let rival_employer = app.employer(&uscc("91440300MA5DYYYY1"), "440305").await;
        let rival = app
            .user("hr@rival", "employer_agent", Some(&rival_employer), None)
            .await;
        let rival = rival.as_str();
        let (agent, officer, admin) = (agent.as_str(), officer.as_str(), app.admin.as_str());
        let zhejiang = app
            .user("officer.zj", "permit_officer", None, Some("330000"))
            .await;
        let zhejiang = zhejiang.as_str();
        let form = new_from_abroad("E20000004");
        let created = app.post(APPS, agent, &form).await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let one = format!("{APPS}/{id}");
        let decision = json!({ "step": "accept", "outcome": "pass" });
        let forbidden = (403, "forbidden", None);
        let before = snapshot(&app).await;
        let employer = json!({ "uscc": uscc("91440101MA5CXXXX1"), "name": "N", "region_code": "440106", "address": "A" });
        let user = json!({ "username": "x.user", "password": PASSWORD, "role": "admin" });
        let onsite = "/api/v1/permits/4401000000000000042/onsite-verifications".to_owned();
        let calls: Vec<(&str, Method, String, &str, Value)> = vec![
            ("officer files", Method::POST, APPS.into(), officer, form.clone()),
            ("admin files", Method::POST, APPS.into(), admin, form.clone()),
            ("agent registers employer", Method::POST, "/api/v1/employers".into(), agent, employer),
            ("agent creates user", Method::POST, "/api/v1/users".into(), agent, user),
            ("agent decides", Method::POST, format!("{one}/decisions"), agent, decision.clone()),
            ("admin decides", Method::POST, format!("{one}/decisions"), admin, decision.clone()),
            ("officer submits", Method::POST, format!("{one}/submit"), officer, json!(null)),
            ("officer edits", Method::PUT, one.clone(), officer, form.clone()),
            ("agent checks on site", Method::POST, onsite, agent, json!({})),
            ("agent reads audit", Method::GET, "/api/v1/audit".into(), agent, json!(null)),
        ];
        for (label, method, path, token, body) in calls {
            let r = app.request(method, &path, token, Some(&body), &[]).await;
            refused(&app, &before, label, &r, forbidden).await;
        }
        // The role is checked before the body is read: no hint from 400/415/422.
        for (label, ct, body) in [("malformed", Some("application/json"), "{"), ("text", Some("text/plain"), "hi"), ("empty", None, "")] {
            let r = raw(&app, Method::POST, "/api/v1/employers", agent, ct, body, &[]).await;
            refused(&app, &before, label, &r, forbidden).await;
        }
        let not_found = (404, "not_found", None);
        let calls: Vec<(&str, Method, String, &str, Value)> = vec![
            ("rival reads", Method::GET, one.clone(), rival, json!(null)),
            ("rival edits", Method::PUT, one.clone(), rival, form.clone()),
            ("rival submits", Method::POST, format!("{one}/submit"), rival, json!(null)),
            ("other region reads", Method::GET, one.clone(), zhejiang, json!(null)),
            ("other region decides", Method::POST, format!("{one}/decisions"), zhejiang, decision.clone()),
            ("unknown id", Method::GET, format!("{APPS}/no-such-id"), agent, json!(null)),
            ("unknown id decided", Method::POST, format!("{APPS}/no-such-id/decisions"), officer, decision),
            ("rival reads employer", Method::GET, format!("/api/v1/employers/{}", created.body["employer_id"].as_str().unwrap()), rival, json!(null)),
        ];
        for (label, method, path, token, body) in calls {
            let r = app.request(method, &path, token, Some(&body), &[]).await;
            refused(&app, &before, label, &r, not_found).await;
        }
        let r = app.get(&one, "").await;
        refused(&app, &before, "no token", &r, (401, "missing_token", None)).await;
        let r = app.get(&one, "not-a-token").await;
        refused(&app, &before, "bad token", &r, (401, "invalid_token", None)).await;
        let shown = app.get(&one, agent).await;
        assert_eq!(shown.body["status"], "draft");
        assert_eq!(shown.body["version"], 1);
    })
    .await;
}
