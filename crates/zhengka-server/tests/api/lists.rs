//! Lists people work from: every row reachable by paging (none lost, none
//! repeated), with the count; search by passport number and passport name
//! through their keyed hashes; the follow-up queue of on-site checks; and
//! separation of duties between acceptance and approval.

use std::collections::HashSet;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use zhengka_server::Config;

use crate::helpers::*;

/// A passport name from a number: digits become letters (names hold no digits).
fn name_of(i: usize) -> String {
    let letters: String = format!("{i:03}")
        .bytes()
        .map(|d| char::from(b'A' + (d - b'0')))
        .collect();
    format!("HOLDER {letters} SMITH")
}

#[tokio::test]
async fn an_employer_pages_through_250_applications_and_finds_one() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        for i in 0..250 {
            let mut form = new_from_abroad(&format!("LP{i:06}"));
            form["foreigner"]["name"] = json!(name_of(i));
            let r = app.post("/api/v1/applications", &agent, &form).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = "/api/v1/applications?limit=100".to_owned();
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={}", urlencode(c)));
            }
            let page = app.get(&path, &agent).await;
            assert_eq!(page.status, 200, "{:?}", page.body);
            assert_eq!(page.body["total"], 250, "the count on every page");
            for a in page.body["items"].as_array().unwrap() {
                seen.push(
                    a["form"]["foreigner"]["passport_number"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
            match page.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 250, "no row lost or repeated");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 250);
        // Newest first: the last filed comes first.
        assert_eq!(seen[0], "LP000249");
        assert_eq!(seen[249], "LP000000");

        let found = app.get("/api/v1/applications?q=lp000123", &agent).await;
        assert_eq!(found.body["total"], 1, "{:?}", found.body);
        let item = &found.body["items"][0]["form"]["foreigner"];
        assert_eq!(item["passport_number"], "LP000123");
        // The exact name, however it is typed (normalised before hashing).
        let typed = name_of(77).to_lowercase().replace(' ', "  ");
        let by_name = app
            .get(
                &format!("/api/v1/applications?q={}", urlencode(&typed)),
                &agent,
            )
            .await;
        assert_eq!(by_name.body["total"], 1, "{:?}", by_name.body);
        assert_eq!(
            by_name.body["items"][0]["form"]["foreigner"]["passport_number"],
            "LP000077"
        );
        let none = app.get("/api/v1/applications?q=HOLDER", &agent).await;
        assert_eq!(none.body["total"], 0, "a part of a name finds nothing");
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn list_filters_refuse_bad_values_precisely() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let today = Utc::now().date_naive();
        let filed = app
            .post("/api/v1/applications", &agent, &new_from_abroad("LF000001"))
            .await;
        assert_eq!(filed.status, 201);
        let path = format!("/api/v1/applications?from={today}&to={today}&kind=new_from_abroad");
        assert_eq!(app.get(&path, &agent).await.body["total"], 1);
        let tomorrow = today + Days::new(1);
        let later = format!("/api/v1/applications?from={tomorrow}");
        assert_eq!(app.get(&later, &agent).await.body["total"], 0);
        let cases = [
            (
                "/api/v1/applications?from=2026-13-01",
                ("invalid_date", "from"),
            ),
            (
                "/api/v1/applications?from=2026-02-02&to=2026-02-01",
                ("end_before_start", "to"),
            ),
            (
                "/api/v1/applications?order=sideways",
                ("unknown_value", "order"),
            ),
            (
                "/api/v1/applications?cursor=nobar",
                ("invalid_cursor", "cursor"),
            ),
            (
                "/api/v1/permits?follow_up=soon",
                ("unknown_value", "follow_up"),
            ),
            ("/api/v1/permits?status=lost", ("unknown_value", "status")),
            ("/api/v1/audit?order=sideways", ("unknown_value", "order")),
        ];
        for (path, (code, field)) in cases {
            let who = if path.starts_with("/api/v1/audit") {
                &app.admin
            } else {
                &officer
            };
            let r = app.get(path, who).await;
            assert_eq!((r.status, r.error()), (422, (code, Some(field))), "{path}");
        }
    })
    .await;
}

/// Approve a class B application from abroad; its permit number.
async fn approved_class_b(app: &TestApp, agent: &str, officer: &str, passport: &str) -> String {
    let approved = app
        .approve(agent, officer, &new_from_abroad(passport))
        .await;
    assert_eq!(approved["classification"]["class"], "B");
    approved["permit_number"].as_str().unwrap().to_owned()
}

fn in_follow_up(page: &Value, number: &str) -> Option<Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["permit_number"] == number)
        .cloned()
}

#[tokio::test]
async fn the_follow_up_queue_lists_an_approval_until_its_onsite_check() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let number = approved_class_b(&app, &agent, &officer, "FU0000001").await;
        let queue = "/api/v1/permits?follow_up=onsite";
        let listed = app.get(queue, &officer).await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        let row = in_follow_up(&listed.body, &number).expect("awaiting entry");
        assert_eq!(row["onsite"]["state"], "awaiting_entry");
        assert_eq!(listed.body["total"], 1);

        // Approved the day before yesterday, entered yesterday: the 30 days
        // run from the entry.
        app.backdate_approval(&number, 2).await;
        let yesterday = Utc::now().date_naive() - Days::new(1);
        let entry = json!({ "entry_date": yesterday });
        let r = app
            .post(&format!("/api/v1/permits/{number}/entry"), &officer, &entry)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let row = in_follow_up(&app.get(queue, &officer).await.body, &number).expect("due");
        assert_eq!(row["onsite"]["due_by"], json!(yesterday + Days::new(30)));

        let today = Utc::now().date_naive();
        let check = json!({ "entry_date": yesterday, "visa_number": "Z1234567",
            "medical_report_issued_on": today - Days::new(30),
            "materials_checked": ["visa_or_residence_permit_copy", "medical_report"] });
        let path = format!("/api/v1/permits/{number}/onsite-verifications");
        let r = app.post(&path, &officer, &check).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let after = app.get(queue, &officer).await;
        assert!(
            in_follow_up(&after.body, &number).is_none(),
            "done leaves the queue"
        );
        assert_eq!(after.body["total"], 0);
        // The permits list still has it, and finds it by passport number.
        let found = app.get("/api/v1/permits?q=FU0000001", &officer).await;
        assert_eq!(found.body["total"], 1);
        assert_eq!(found.body["items"][0]["permit_number"], number);
    })
    .await;
}

/// Submit, accept and preliminary-review as `officer`; the decisions path.
async fn reviewed_by(app: &TestApp, agent: &str, officer: &str, passport: &str) -> String {
    let created = app
        .post("/api/v1/applications", agent, &new_from_abroad(passport))
        .await;
    let id = created.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/api/v1/applications/{id}/submit"),
        agent,
        &json!(null),
    )
    .await;
    let path = format!("/api/v1/applications/{id}/decisions");
    for step in ["accept", "preliminary_review"] {
        let r = app
            .post(&path, officer, &json!({ "step": step, "outcome": "pass" }))
            .await;
        assert_eq!(r.status, 200, "{step}: {:?}", r.body);
    }
    path
}

#[tokio::test]
async fn the_officer_who_accepted_cannot_approve_unless_the_policy_allows() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let path = reviewed_by(&app, &agent, &officer, "SD0000001").await;
        let approve = json!({ "step": "approve", "outcome": "pass" });
        let before = app.audit_count().await;
        let r = app.post(&path, &officer, &approve).await;
        assert_eq!(
            (r.status, r.error().0),
            (409, "separation_of_duties"),
            "{:?}",
            r.body
        );
        assert_eq!(app.audit_count().await, before, "nothing written");
        // Returning or rejecting needs no second officer.
        let reject = json!({ "step": "approve", "outcome": "reject", "comment": "forged" });
        let second = reviewed_by(&app, &agent, &officer, "SD0000002").await;
        assert_eq!(app.post(&second, &officer, &reject).await.status, 200);
        // Another officer approves.
        let approver = app.approver().await;
        let r = app.post(&path, &approver, &approve).await;
        assert_eq!(
            (r.status, r.body["status"].as_str()),
            (200, Some("approved"))
        );

        // A province that turns the rule off lets one officer do both.
        let mut config = Config::default();
        config.policy.separation_of_duties = false;
        let lenient = app.server_with(config).await;
        let path = reviewed_by(&app, &agent, &officer, "SD0000003").await;
        let res = app
            .client
            .post(format!("{lenient}{path}"))
            .bearer_auth(&officer)
            .json(&approve)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn the_admin_pages_through_employers_and_users_and_finds_by_uscc() {
    each_backend(|app| async move {
        let (_, _, _) = app.cast().await;
        let second = uscc("91440300MA5DYYYY1");
        app.employer(&second, "440305").await;
        let all = app.get("/api/v1/employers?limit=1", &app.admin).await;
        assert_eq!(all.body["total"], 2, "{:?}", all.body);
        let cursor = all.body["next_cursor"].as_str().unwrap().to_owned();
        let rest = app
            .get(
                &format!("/api/v1/employers?limit=1&cursor={cursor}"),
                &app.admin,
            )
            .await;
        assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(rest.body["next_cursor"], Value::Null, "no empty last page");
        assert_ne!(rest.body["items"][0]["id"], all.body["items"][0]["id"]);
        let by_uscc = app
            .get(&format!("/api/v1/employers?q={second}"), &app.admin)
            .await;
        assert_eq!(by_uscc.body["total"], 1);
        assert_eq!(by_uscc.body["items"][0]["uscc"], json!(second));
        let by_name = app.get("/api/v1/employers?q=employer%20", &app.admin).await;
        assert_eq!(by_name.body["total"], 2, "a part of the name, any case");
        let wildcard = app.get("/api/v1/employers?q=%25", &app.admin).await;
        assert_eq!(wildcard.body["total"], 0, "LIKE's characters are literal");

        let officers = app
            .get("/api/v1/users?role=permit_officer", &app.admin)
            .await;
        assert_eq!(officers.body["total"], 1, "{:?}", officers.body);
        assert_eq!(officers.body["items"][0]["username"], "officer.gd");
        let r = app.get("/api/v1/users?role=king", &app.admin).await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unknown_value", Some("role")))
        );
        let r = app.get("/api/v1/employers?q=", &app.admin).await;
        assert_eq!((r.status, r.error()), (422, ("required", Some("q"))));
    })
    .await;
}
