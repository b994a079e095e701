//! Social security: the permit checked through the system, the SSN issued with
//! the five insurances, refusals with precise codes, the over-age rule, the
//! 30-day registration queue, and insurances ended by a cancelled permit.

use chrono::{Days, Utc};
use serde_json::json;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_store::prelude::*;

use crate::helpers::*;

#[tokio::test]
async fn enrolment_issues_an_ssn_with_five_insurances_and_masks_it_for_employers() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "SS0000001", None).await;
        let r = app.enrol(&c, &permit).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let ssn = r.body["ssn"].as_str().unwrap().to_owned();
        assert_eq!(ssn.len(), 18);
        assert_eq!(r.body["permit_number"], permit["permit_number"]);
        assert_eq!(r.body["insurances"].as_array().unwrap().len(), 5);
        assert_eq!(r.body["over_age"], false);
        assert!(
            r.body["insurances"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["start_date"] == permit["valid_from"])
        );
        let got = app
            .get(&format!("/api/v1/social-security/accounts/{ssn}"), &c.ss)
            .await;
        assert_eq!(
            (got.status, got.body["ssn"].as_str()),
            (200, Some(ssn.as_str()))
        );
        let list = app.get("/api/v1/social-security/accounts", &c.agent).await;
        assert_eq!(list.status, 200, "{:?}", list.body);
        let shown = list.body["items"][0]["ssn"].as_str().unwrap();
        assert!(
            shown.contains('*') && !shown.contains(&ssn[4..14]),
            "employers see it masked"
        );
        let again = app.enrol(&c, &permit).await;
        assert_eq!((again.status, again.error().0), (409, "already_enrolled"));
    })
    .await;
}

#[tokio::test]
async fn enrolment_refusals_say_exactly_why() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "SS0000002", None).await;
        let path = "/api/v1/social-security/enrolments";
        let mut body = json!({ "permit_number": "4401000000000009999", "name": permit["holder_name"], "start_date": permit["valid_from"] });
        let r = app.post(path, &c.ss, &body).await;
        assert_eq!((r.status, r.error().0), (404, "permit_not_found"));
        body["permit_number"] = permit["permit_number"].clone();
        body["name"] = json!("SOMEONE ELSE");
        let r = app.post(path, &c.ss, &body).await;
        assert_eq!((r.status, r.error()), (422, ("name_mismatch", Some("name"))));
        body["name"] = permit["holder_name"].clone();
        body["start_date"] = json!("2001-01-01");
        let r = app.post(path, &c.ss, &body).await;
        assert_eq!((r.status, r.error()), (422, ("start_date_outside_permit", Some("start_date"))));
        body["start_date"] = permit["valid_from"].clone();
        body["insurances"] = json!(["medical"]);
        let r = app.post(path, &c.ss, &body).await;
        assert_eq!((r.status, r.error()), (422, ("insurance_compulsory", Some("insurances"))));
        body.as_object_mut().unwrap().remove("insurances");
        body["notice_qr"] = json!("ZK1:nonsense");
        let r = app.post(path, &c.ss, &body).await;
        assert_eq!((r.status, r.error()), (422, ("one_of", Some("notice_qr"))));
        // Another province's officer and another employer see no such permit.
        let sh = app.user("ss.sh", "social_security_officer", None, Some("310000")).await;
        body.as_object_mut().unwrap().remove("notice_qr");
        assert_eq!(app.post(path, &sh, &body).await.error().0, "permit_not_found");
        let other = app.employer(&uscc("91440300MA5EXAMP1"), "440300").await;
        let other_agent = app.user("hr@other", "employer_agent", Some(&other), None).await;
        assert_eq!(app.post(path, &other_agent, &body).await.status, 404);
        // Roles that do not enrol.
        assert_eq!(app.post(path, &c.officer, &body).await.status, 403);
        assert_eq!(app.post(path, &c.card, &body).await.status, 403);
        assert_eq!(app.audit_count().await, app.audit_count().await);
        // The employer enrols its own employee.
        let r = app.post(path, &c.agent, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert!(r.body["ssn"].as_str().unwrap().contains('*'));
    })
    .await;
}

#[tokio::test]
async fn cancelled_and_suspended_permits_are_not_enrolled() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "SS0000003", None).await;
        let n = permit["permit_number"].as_str().unwrap().to_owned();
        app.cancel(&c, &n).await;
        let r = app.enrol(&c, &permit).await;
        assert_eq!((r.status, r.error().0), (409, "permit_not_valid"));
        // A legacy permit whose on-site check was missed is suspended.
        let today = Utc::now().date_naive();
        let legacy = json!({ "employer_id": c.employer, "permit_number": "440106201900000077", "class": "B", "position": "Engineer",
            "valid_from": today - Days::new(300), "valid_to": today + Days::new(200),
            "foreigner": { "name": "Kenji Tanaka", "nationality": "JPN", "sex": "male",
                           "date_of_birth": "1985-03-03", "passport_number": "TK0000077" } });
        let r = app.post("/api/v1/permits", &c.officer, &legacy).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let mut p = app.store.get_permit(&PermitNumber::parse("440106201900000077").unwrap()).await.unwrap();
        p.status = zhengka_domain::permits::permit::PermitStatus::Suspended;
        let audit = zhengka_store::Audit { at: Utc::now(), actor: "test".into(), action: "test.suspend", entity_type: "permit", entity_id: "x".into(), details: json!({}) };
        app.store.update_permit(&p, zhengka_store::Write::new(audit)).await.unwrap();
        let r = app.post("/api/v1/social-security/enrolments", &c.ss, &json!({ "permit_number": "440106201900000077", "name": "KENJI TANAKA", "start_date": today })).await;
        assert_eq!((r.status, r.error().0), (409, "permit_not_valid"));
    })
    .await;
}

#[tokio::test]
async fn over_age_holders_are_enrolled_without_pension() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut form = new_from_abroad("SS0000004");
        form["foreigner"]["date_of_birth"] = json!("1958-02-01");
        form["scoring"]["recognised_talent"] = json!(true);
        let permit = app.holder(&c, "SS0000004", Some(form)).await;
        let r = app.enrol(&c, &permit).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["over_age"], true);
        assert_eq!(
            r.body["excluded"],
            json!([{ "kind": "pension", "reason": "over_age" }])
        );
        let kinds: Vec<_> = r.body["insurances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            kinds,
            ["medical", "unemployment", "work_injury", "maternity"]
        );
    })
    .await;
}

#[tokio::test]
async fn a_notice_qr_is_enough_to_enrol() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let form = new_from_abroad("SS0000005");
        let approved = app.approve(&c.agent, &c.officer, &form).await;
        let id = approved["id"].as_str().unwrap();
        let notice = app.get(&format!("/api/v1/applications/{id}/notice"), &c.agent).await;
        let qr = notice.body["qr"].as_str().unwrap();
        let permit = app.get(&format!("/api/v1/permits/{}", approved["permit_number"].as_str().unwrap()), &c.agent).await.body;
        let body = json!({ "notice_qr": qr, "name": "Anno Bernhard Dederichs", "start_date": permit["valid_from"] });
        let r = app.post("/api/v1/social-security/enrolments", &c.ss, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["permit_number"], approved["permit_number"]);
        let bad = json!({ "notice_qr": "ZK1:NOTAQR", "name": "X", "start_date": permit["valid_from"] });
        let r = app.post("/api/v1/social-security/enrolments", &c.ss, &bad).await;
        assert_eq!((r.status, r.error()), (422, ("notice_not_valid", Some("notice_qr"))));
    })
    .await;
}

#[tokio::test]
async fn the_registration_queue_shows_permits_near_or_past_thirty_days() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let today = Utc::now().date_naive();
        for (n, days_ago, passport) in [("440106201900000081", 40, "TK0000081"), ("440106201900000082", 25, "TK0000082"), ("440106201900000083", 5, "TK0000083")] {
            let legacy = json!({ "employer_id": c.employer, "permit_number": n, "class": "B", "position": "Engineer",
                "valid_from": today - Days::new(days_ago), "valid_to": today + Days::new(200),
                "foreigner": { "name": "Kenji Tanaka", "nationality": "JPN", "sex": "male",
                               "date_of_birth": "1985-03-03", "passport_number": passport } });
            assert_eq!(app.post("/api/v1/permits", &c.officer, &legacy).await.status, 201);
        }
        let q = app.get("/api/v1/social-security/accounts?due=registration", &c.ss).await;
        assert_eq!(q.status, 200, "{:?}", q.body);
        let items = q.body["items"].as_array().unwrap();
        let numbers: Vec<_> = items.iter().map(|i| i["permit_number"].as_str().unwrap()).collect();
        assert_eq!(numbers, ["440106201900000081", "440106201900000082"], "past first, then near; 25 days left is not yet near");
        assert_eq!(items[0]["overdue"], true);
        assert_eq!(items[1]["days_left"], 5);
        // Enrolled, it leaves the queue.
        let r = app.post("/api/v1/social-security/enrolments", &c.ss, &json!({ "permit_number": "440106201900000081", "name": "KENJI TANAKA", "start_date": today })).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let q = app.get("/api/v1/social-security/accounts?due=registration", &c.agent).await;
        assert_eq!(q.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_cancelled_permit_ends_the_insurances_through_the_outbox() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "SS0000006", None).await;
        let ssn = app.enrol(&c, &permit).await.body["ssn"]
            .as_str()
            .unwrap()
            .to_owned();
        app.cancel(&c, permit["permit_number"].as_str().unwrap())
            .await;
        let done = app.dispatch().await;
        assert!(done["applied"].as_u64().unwrap() >= 1, "{done:?}");
        let a = app
            .get(&format!("/api/v1/social-security/accounts/{ssn}"), &c.ss)
            .await
            .body;
        assert_eq!(a["status"], "ended");
        assert_eq!(a["ended"]["reason"], "permit_cancelled");
        let today = Utc::now().date_naive().to_string();
        for i in a["insurances"].as_array().unwrap() {
            assert_eq!(i["status"], "ended");
            // Not before its start (the permit starts in the future here).
            assert!(i["end_date"].as_str().unwrap() >= i["start_date"].as_str().unwrap());
            assert!(i["end_date"].as_str().unwrap() >= today.as_str());
        }
        // Delivered twice, changed once.
        let audit = app.audit_count().await;
        assert_eq!(app.dispatch().await["applied"], 0);
        assert_eq!(app.audit_count().await, audit);
    })
    .await;
}

#[tokio::test]
async fn two_enrolments_at_once_open_one_account() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut permits = vec![];
        for i in 0..16 {
            permits.push(app.holder(&c, &format!("SR{i:07}"), None).await);
        }
        for p in &permits {
            let body = json!({ "permit_number": p["permit_number"], "name": p["holder_name"], "start_date": p["valid_from"] });
            let path = "/api/v1/social-security/enrolments";
            let (a, b) = tokio::join!(app.post(path, &c.ss, &body), app.post(path, &c.agent, &body));
            let mut s = [a.status, b.status];
            s.sort();
            assert_eq!(s, [201, 409], "{:?} / {:?}", a.body, b.body);
            let loser = if a.status == 409 { &a } else { &b };
            assert_eq!(loser.error().0, "already_enrolled");
        }
        let all = app.get("/api/v1/social-security/accounts?limit=100", &c.ss).await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 16);
    })
    .await;
}

#[tokio::test]
async fn accounts_are_read_only_in_their_region_and_by_their_employer() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "SS0000009", None).await;
        let ssn = app.enrol(&c, &permit).await.body["ssn"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/v1/social-security/accounts/{ssn}");
        let sh = app
            .user("ss.sh2", "social_security_officer", None, Some("310000"))
            .await;
        assert_eq!(app.get(&path, &sh).await.status, 404);
        assert!(
            app.get("/api/v1/social-security/accounts", &sh).await.body["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let other = app.employer(&uscc("91440300MA5EXAMP3"), "440300").await;
        let other_agent = app
            .user("hr@other3", "employer_agent", Some(&other), None)
            .await;
        assert_eq!(app.get(&path, &other_agent).await.status, 404);
        assert_eq!(
            app.get(&path, &c.officer).await.status,
            403,
            "permit officers do not read accounts"
        );
        let own = app.get(&path, &c.agent).await;
        assert_eq!(
            (own.status, own.body["ssn_masked"].as_bool()),
            (200, Some(true))
        );
        assert_eq!(
            app.get("/api/v1/social-security/accounts/not-an-ssn", &c.ss)
                .await
                .status,
            404
        );
    })
    .await;
}
