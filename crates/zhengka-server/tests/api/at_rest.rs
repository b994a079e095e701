//! Personal data at rest, as an attacker with the database files (or an export)
//! would look for it: applications, permits, replay records and material file
//! names filed through the API, then every stored byte searched for the
//! passport numbers and names that were filed.

use reqwest::Method;
use serde_json::{Value, json};
use sqlx::Row;

use crate::helpers::*;

/// Who is filed, as they must never appear on disk.
const PEOPLE: [(&str, &str); 2] = [
    ("E58301947", "Zebulon Quixwart"),
    ("E58301948", "Oriane Vexmoor"),
];

async fn keyed(app: &TestApp, path: &str, token: &str, body: &Value, key: &str) -> Response {
    app.request(
        Method::POST,
        path,
        token,
        Some(body),
        &[("idempotency-key", key)],
    )
    .await
}

async fn upload(app: &TestApp, token: &str, id: &str, file_name: &str, key: &str) -> u16 {
    let res = app
        .client
        .post(format!("{}/api/v1/applications/{id}/materials", app.base))
        .query(&[("kind", "passport_copy"), ("file_name", file_name)])
        .bearer_auth(token)
        .header("idempotency-key", key)
        .body(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec())
        .send()
        .await
        .expect("request sent");
    res.status().as_u16()
}

/// File both people, one through to a permit, every write under a key; the
/// first also gets an SSN and a card with a bank account. Returns those
/// numbers, which must not be on disk either.
async fn file_everyone(app: &TestApp) -> Vec<String> {
    let (_, agent, officer) = app.cast().await;
    for (i, (passport, name)) in PEOPLE.iter().enumerate() {
        let mut form = new_from_abroad(passport);
        form["foreigner"]["name"] = json!(name);
        let key = format!("create-{i}");
        let first = keyed(app, "/api/v1/applications", &agent, &form, &key).await;
        assert_eq!(first.status, 201, "{:?}", first.body);
        // A retry gets the first response back, read from the sealed record.
        let again = keyed(app, "/api/v1/applications", &agent, &form, &key).await;
        assert_eq!((again.status, &again.body), (201, &first.body));
        let id = first.body["id"].as_str().unwrap().to_owned();
        let file_name = format!("passport {passport}.pdf");
        assert_eq!(
            upload(app, &agent, &id, &file_name, &format!("up-{i}")).await,
            201
        );
        let listed = app
            .get(&format!("/api/v1/applications/{id}/materials"), &officer)
            .await;
        assert_eq!(listed.body["items"][0]["file_name"], json!(file_name));
        if i == 0 {
            let path = format!("/api/v1/applications/{id}/submit");
            let r = keyed(app, &path, &agent, &json!(null), "submit-0").await;
            assert_eq!(r.status, 200, "{:?}", r.body);
            let path = format!("/api/v1/applications/{id}/decisions");
            let approver = app.approver().await;
            for step in ["accept", "preliminary_review", "approve"] {
                let body = json!({ "step": step, "outcome": "pass" });
                let who = if step == "approve" {
                    &approver
                } else {
                    &officer
                };
                let r = keyed(app, &path, who, &body, step).await;
                assert_eq!(r.status, 200, "{step}: {:?}", r.body);
            }
        }
    }
    card_side(app, &agent).await
}

/// The first person's SSN and card, under keys; returns the SSN and bank account.
async fn card_side(app: &TestApp, agent: &str) -> Vec<String> {
    let ss = app
        .user("ss.rest", "social_security_officer", None, Some("440000"))
        .await;
    let card = app
        .user("card.rest", "card_officer", None, Some("440000"))
        .await;
    let permits = app.get("/api/v1/permits", agent).await;
    let permit = &permits.body["items"][0];
    let body = json!({ "permit_number": permit["permit_number"], "name": permit["holder_name"], "start_date": permit["valid_from"] });
    let r = keyed(
        app,
        "/api/v1/social-security/enrolments",
        &ss,
        &body,
        "enrol-0",
    )
    .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let ssn = r.body["ssn"].as_str().unwrap().to_owned();
    let body = json!({ "ssn": ssn, "bank_code": "ICBC", "pickup": "service_hall" });
    let r = keyed(app, "/api/v1/cards", &card, &body, "card-0").await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let number = r.body["card_number"].as_str().unwrap();
    let bank = "6212261202011584340";
    let body =
        json!({ "type": "issued_at_window", "chip_serial": "CHIPREST0001", "bank_account": bank });
    let r = keyed(
        app,
        &format!("/api/v1/cards/{number}/events"),
        &card,
        &body,
        "issue-0",
    )
    .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    vec![ssn, bank.to_owned()]
}

/// Every text and bytea value of every table, as PostgreSQL stores it.
async fn postgres_values(app: &TestApp) -> Vec<u8> {
    let raw = app.raw().await;
    let columns = sqlx::query(
        "SELECT table_name::text, column_name::text, data_type::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND data_type IN ('text', 'bytea', 'character varying')",
    )
    .fetch_all(&raw)
    .await
    .unwrap();
    assert!(columns.len() > 20, "introspection found the columns");
    let mut all = Vec::new();
    for c in &columns {
        let (table, column, ty): (String, String, String) = (c.get(0), c.get(1), c.get(2));
        let rows = sqlx::query(&format!(r#"SELECT "{column}" FROM "{table}""#))
            .fetch_all(&raw)
            .await
            .unwrap();
        for r in rows {
            let value: Option<Vec<u8>> = if ty == "bytea" {
                r.get(0)
            } else {
                r.get::<Option<String>, _>(0).map(String::into_bytes)
            };
            all.extend(value.unwrap_or_default());
            all.push(b'\n');
        }
    }
    raw.close().await;
    all
}

fn find(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.to_ascii_uppercase();
    haystack
        .windows(needle.len())
        .any(|w| w.to_ascii_uppercase() == needle.as_bytes())
}

#[tokio::test]
async fn no_passport_number_or_name_is_stored_in_clear() {
    each_backend(|app| async move {
        let numbers = file_everyone(&app).await;
        let mut places: Vec<(String, Vec<u8>)> = Vec::new();
        let mut export = Vec::new();
        app.store.export(&mut export).await.unwrap();
        places.push(("export".into(), export));
        match app.sqlite_file() {
            // While the store is open, recent writes live in the WAL.
            Some(db) => {
                for suffix in ["", "-wal", "-shm"] {
                    let path = format!("{}{suffix}", db.display());
                    let bytes = std::fs::read(&path).unwrap_or_default();
                    places.push((path, bytes));
                }
                assert!(!places[2].1.is_empty(), "the WAL was read");
            }
            None => places.push(("postgres".into(), postgres_values(&app).await)),
        }
        for (place, bytes) in &places {
            for (passport, name) in PEOPLE {
                assert!(!find(bytes, passport), "{passport} in {place}");
                assert!(!find(bytes, name), "{name} in {place}");
                let surname = name.split(' ').next_back().unwrap();
                assert!(!find(bytes, surname), "{surname} in {place}");
            }
            for n in &numbers {
                assert!(!find(bytes, n), "{n} in {place}");
            }
        }
    })
    .await;
}
