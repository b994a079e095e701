//! The physical card: applied → batch → produced → shipped → delivered with the
//! 10-working-day promise, window issuance, loss and replacement, a return file
//! that applies all or nothing, one card per person under concurrency, and a
//! cancelled permit freezing the card through the outbox.

use serde_json::{Value, json};
use zhengka_credential::Status;

use crate::card_side::Cast;
use crate::helpers::*;

/// A holder with an account; returns (permit, ssn).
async fn enrolled(app: &TestApp, c: &Cast, passport: &str) -> (Value, String) {
    let permit = app.holder(c, passport, None).await;
    let r = app.enrol(c, &permit).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (permit, r.body["ssn"].as_str().unwrap().to_owned())
}

async fn return_file(app: &TestApp, c: &Cast, batch: &str, text: &str) -> Response {
    let res = app
        .client
        .post(format!("{}/api/v1/card-batches/{batch}/result", app.base))
        .bearer_auth(&c.card)
        .header("content-type", "application/x-ndjson")
        .body(text.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    Response {
        status,
        body: res.json().await.unwrap_or(Value::Null),
    }
}

async fn batch_file(app: &TestApp, c: &Cast, batch: &str) -> (String, String) {
    let res = app
        .client
        .get(format!("{}/api/v1/card-batches/{batch}/file", app.base))
        .bearer_auth(&c.card)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let sha = res.headers()["x-zhengka-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    (sha, res.text().await.unwrap())
}

#[tokio::test]
async fn a_card_goes_from_application_to_the_holders_hands() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, ssn) = enrolled(&app, &c, "CD0000001").await;
        let card = app.apply_card(&c, &ssn).await;
        let got = app.get(&format!("/api/v1/cards/{card}"), &c.card).await.body;
        assert_eq!(got["permit_number"], permit["permit_number"]);
        assert_eq!(got["permit_valid_to"], permit["valid_to"]);
        assert_eq!(got["ssn"], json!(ssn));
        assert_eq!(got["promise"]["overdue"], false);
        assert_eq!(got["promise"]["working_days_left"], 10);

        let b = app.post("/api/v1/card-batches", &c.card, &json!(null)).await;
        assert_eq!(b.status, 201, "{:?}", b.body);
        assert_eq!(b.body["cards"], json!([card]));
        let batch = b.body["manifest"]["batch_id"].as_str().unwrap().to_owned();
        let (sha, file) = batch_file(&app, &c, &batch).await;
        assert_eq!(sha, b.body["manifest"]["sha256"].as_str().unwrap());
        let line: Value = serde_json::from_str(file.lines().next().unwrap()).unwrap();
        assert_eq!((line["card_number"].as_str(), line["ssn"].as_str()), (Some(card.as_str()), Some(ssn.as_str())));
        let again = app.post("/api/v1/card-batches", &c.card, &json!(null)).await;
        assert_eq!((again.status, again.error().0), (409, "nothing_to_batch"));

        let ret = format!("{{\"card_number\":\"{card}\",\"chip_serial\":\"CHIP00000001\",\"bank_account\":\"6222020000000000008\"}}\n");
        let r = return_file(&app, &c, &batch, &ret).await;
        // That bank number fails its Luhn check: nothing applied.
        assert_eq!((r.status, r.body["lines"][0]["code"].as_str()), (422, Some("invalid_bank_account_check")), "{:?}", r.body);
        let ret = ret.replace("6222020000000000008", "4111111111111111");
        let r = return_file(&app, &c, &batch, &ret).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(return_file(&app, &c, &batch, &ret).await.status, 409, "imported once");

        let shipped = app.card_event(&c, &card, json!({ "type": "delivered" })).await;
        assert_eq!((shipped.status, shipped.error().0), (409, "illegal_transition"));
        let r = app.card_event(&c, &card, json!({ "type": "shipped" })).await;
        assert_eq!((r.status, r.error()), (422, ("required", Some("courier"))));
        let r = app.card_event(&c, &card, json!({ "type": "shipped", "courier": "EMS", "tracking_number": "EMS000111222" })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = app.card_event(&c, &card, json!({ "type": "delivered" })).await;
        assert_eq!(r.body["card"]["status"], "delivered");
        let types: Vec<_> = r.body["card"]["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap().to_owned()).collect();
        assert_eq!(types, ["batched", "produced", "shipped", "delivered"]);
        assert_eq!(r.body["card"]["bank_account"], "4111111111111111", "card officers see it");
        let seen = app.get(&format!("/api/v1/cards/{card}"), &c.ss).await.body;
        assert_eq!(seen["bank_account"], "4111********1111", "others see it masked");
        assert!(app.get("/api/v1/cards?overdue=true", &c.card).await.body["items"].as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn window_issuance_loss_and_replacement() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, ssn) = enrolled(&app, &c, "CD0000002").await;
        let r = app.post("/api/v1/cards", &c.card, &json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" })).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let card = r.body["card_number"].as_str().unwrap().to_owned();
        let idx = r.body["card"]["status_list"]["idx"].as_u64().unwrap();
        let r = app.card_event(&c, &card, json!({ "type": "issued_at_window", "chip_serial": "CHIPW0000001", "bank_account": "5555555555554444" })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["card"]["window_minutes"], 0);
        assert_eq!(app.card_status(idx).await, Status::Valid);
        let dup = app.post("/api/v1/cards", &c.card, &json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" })).await;
        assert_eq!((dup.status, dup.error().0), (409, "card_exists"));

        let r = app.card_event(&c, &card, json!({ "type": "lost", "note": "lost on the metro" })).await;
        assert_eq!(r.body["card"]["status"], "frozen");
        assert_eq!(app.card_status(idx).await, Status::Suspended, "a frozen card's credential is suspended");
        let r = app.card_event(&c, &card, json!({ "type": "replaced" })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let new = &r.body["replacement"];
        assert_ne!(new["card_number"].as_str().unwrap(), card);
        assert_eq!(new["ssn"], json!(ssn));
        assert_eq!(new["bank_account"], "5555555555554444");
        assert_eq!(new["status"], "applied");
        assert_eq!(new["replaces"], json!(card));
        assert_eq!(app.card_status(idx).await, Status::Revoked, "the old card is revoked");
        let again = app.card_event(&c, &card, json!({ "type": "unfrozen" })).await;
        assert_eq!((again.status, again.error().0), (409, "illegal_transition"));
    })
    .await;
}

#[tokio::test]
async fn a_return_file_with_one_bad_line_applies_nothing() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut cards = vec![];
        for p in ["CD0000011", "CD0000012"] {
            let (_, ssn) = enrolled(&app, &c, p).await;
            cards.push(app.apply_card(&c, &ssn).await);
        }
        let b = app.post("/api/v1/card-batches", &c.card, &json!(null)).await;
        let batch = b.body["manifest"]["batch_id"].as_str().unwrap().to_owned();
        let text = format!(
            "{{\"card_number\":\"{}\",\"chip_serial\":\"CHIP00000011\",\"bank_account\":\"4111111111111111\"}}\n{{\"card_number\":\"{}\",\"chip_serial\":\"short\",\"bank_account\":\"4111111111111111\"}}\n",
            cards[0], cards[1]
        );
        let r = return_file(&app, &c, &batch, &text).await;
        assert_eq!(r.status, 422, "{:?}", r.body);
        assert_eq!(r.body["error"]["code"], "invalid_return_file");
        assert_eq!(r.body["lines"], json!([{ "line": 2, "field": "chip_serial", "code": "invalid_chip_serial", "message": "a chip serial has 8 to 32 letters and digits" }]));
        for card in &cards {
            let got = app.get(&format!("/api/v1/cards/{card}"), &c.card).await.body;
            assert_eq!(got["status"], "in_production", "nothing half-applied");
        }
    })
    .await;
}

#[tokio::test]
async fn two_applications_at_once_make_one_card() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut ssns = vec![];
        for i in 0..16 {
            ssns.push(enrolled(&app, &c, &format!("CR{i:07}")).await.1);
        }
        for ssn in &ssns {
            let body = json!({ "ssn": ssn, "bank_code": "ICBC", "pickup": "service_hall" });
            let (a, b) = tokio::join!(
                app.post("/api/v1/cards", &c.card, &body),
                app.post("/api/v1/cards", &c.ss, &body)
            );
            let mut s = [a.status, b.status];
            s.sort();
            assert_eq!(s, [201, 409], "{:?} / {:?}", a.body, b.body);
            let loser = if a.status == 409 { &a } else { &b };
            assert_eq!(loser.error().0, "card_exists");
        }
        let all = app.get("/api/v1/cards?limit=100", &c.card).await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 16);
    })
    .await;
}

#[tokio::test]
async fn cancelling_the_permit_freezes_the_card_and_ends_the_insurances() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, ssn) = enrolled(&app, &c, "CD0000021").await;
        let card = app.apply_card(&c, &ssn).await;
        app.cancel(&c, permit["permit_number"].as_str().unwrap())
            .await;
        app.dispatch().await;
        let got = app
            .get(&format!("/api/v1/cards/{card}"), &c.card)
            .await
            .body;
        assert_eq!(got["status"], "frozen");
        assert_eq!(got["events"][0]["note"], "permit_cancelled");
        let idx = got["status_list"]["idx"].as_u64().unwrap();
        assert_eq!(app.card_status(idx).await, Status::Suspended);
        let account = app
            .get(&format!("/api/v1/social-security/accounts/{ssn}"), &c.ss)
            .await
            .body;
        assert_eq!(account["status"], "ended");
        let r = app
            .card_event(&c, &card, json!({ "type": "unfrozen" }))
            .await;
        assert_eq!(
            (r.status, r.error().0),
            (409, "permit_not_valid"),
            "a card never outlives its permit"
        );
    })
    .await;
}

#[tokio::test]
async fn cards_are_visible_only_in_their_region_and_to_their_employer() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, ssn) = enrolled(&app, &c, "CD0000031").await;
        let card = app.apply_card(&c, &ssn).await;
        let sh = app
            .user("card.sh", "card_officer", None, Some("310000"))
            .await;
        assert_eq!(
            app.get(&format!("/api/v1/cards/{card}"), &sh).await.status,
            404
        );
        assert!(
            app.get("/api/v1/cards", &sh).await.body["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let other = app.employer(&uscc("91440300MA5EXAMP2"), "440300").await;
        let other_agent = app
            .user("hr@other2", "employer_agent", Some(&other), None)
            .await;
        assert_eq!(
            app.get(&format!("/api/v1/cards/{card}"), &other_agent)
                .await
                .status,
            404
        );
        let own = app.get(&format!("/api/v1/cards/{card}"), &c.agent).await;
        assert_eq!(own.status, 200);
        assert!(own.body["ssn"].as_str().unwrap().contains('*'));
        assert_eq!(
            app.card_event(&c, &card, json!({ "type": "batched" }))
                .await
                .error(),
            ("event_not_allowed", Some("type"))
        );
        assert_eq!(
            app.post(
                &format!("/api/v1/cards/{card}/events"),
                &c.agent,
                &json!({ "type": "lost" })
            )
            .await
            .status,
            403
        );
        let r = app
            .post(
                "/api/v1/cards",
                &sh,
                &json!({ "ssn": ssn, "bank_code": "ICBC", "pickup": "service_hall" }),
            )
            .await;
        assert_eq!((r.status, r.error().0), (404, "account_not_found"));
    })
    .await;
}

#[tokio::test]
async fn an_extension_reaches_the_card_through_the_outbox() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, ssn) = enrolled(&app, &c, "CD0000041").await;
        let card = app.apply_card(&c, &ssn).await;
        let number = permit["permit_number"].as_str().unwrap();
        let start = chrono::Utc::now().date_naive() + chrono::Days::new(20);
        let extension = json!({ "kind": "extension", "permit_number": number,
            "contract": { "start_date": start, "end_date": start + chrono::Days::new(1500),
                          "annual_salary_cny": 300000, "work_location_region": "440106" },
            "scoring": { "education": "doctorate", "related_experience_years": 10,
                         "months_per_year_in_china": 12, "chinese_language": "hsk3" } });
        app.approve(&c.agent, &c.officer, &extension).await;
        let extended = app
            .get(&format!("/api/v1/permits/{number}"), &c.agent)
            .await
            .body;
        assert_ne!(extended["valid_to"], permit["valid_to"]);
        app.dispatch().await;
        let got = app
            .get(&format!("/api/v1/cards/{card}"), &c.card)
            .await
            .body;
        assert_eq!(
            got["permit_valid_to"], extended["valid_to"],
            "the card shows the permit record"
        );
        assert_eq!(got["valid_to"], extended["valid_to"]);
        assert_eq!(got["status"], "applied");
    })
    .await;
}

#[tokio::test]
async fn the_card_carries_the_chinese_name_from_the_application() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut form = new_from_abroad("CD0000051");
        form["foreigner"]["chinese_name"] = json!("戴安诺");
        let permit = app.holder(&c, "CD0000051", Some(form)).await;
        let ssn = app.enrol(&c, &permit).await.body["ssn"]
            .as_str()
            .unwrap()
            .to_owned();
        let card = app.apply_card(&c, &ssn).await;
        let got = app
            .get(&format!("/api/v1/cards/{card}"), &c.card)
            .await
            .body;
        assert_eq!(got["chinese_name"], "戴安诺");
        assert_eq!(got["holder_name"], "ANNO BERNHARD DEDERICHS");
    })
    .await;
}

#[tokio::test]
async fn the_batch_job_sends_the_applied_cards_to_production() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, ssn) = enrolled(&app, &c, "CD0000061").await;
        let card = app.apply_card(&c, &ssn).await;
        let state = zhengka_server::AppState::with_credentials(
            app.store.clone(),
            zhengka_server::Config::default(),
            zhengka_server::credentials::Credentials::ephemeral("440000"),
        );
        let batch = zhengka_server::jobs::batch_applied_cards(&state)
            .await
            .unwrap();
        let batch = batch.expect("one card waited");
        let got = app
            .get(&format!("/api/v1/cards/{card}"), &c.card)
            .await
            .body;
        assert_eq!(
            (got["status"].as_str(), got["batch_id"].as_str()),
            (Some("in_production"), Some(batch.as_str()))
        );
        let again = zhengka_server::jobs::batch_applied_cards(&state)
            .await
            .unwrap();
        assert_eq!(again, None, "nothing left to batch");
        let b = app
            .get(&format!("/api/v1/card-batches/{batch}"), &c.card)
            .await;
        assert_eq!(b.body["manifest"]["card_count"], 1, "{:?}", b.body);
    })
    .await;
}
