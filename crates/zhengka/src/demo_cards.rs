//! The card side of the demo: social security accounts (one over age, one
//! ended), cards in every state of their life, and a permit still waiting
//! for its social security registration. Made through the real API.

use anyhow::Context;
use axum::http::Method;
use chrono::{Days, Utc};
use serde_json::{Value, json};

use crate::demo::Api;

/// Tokens of the actors of the card side.
pub struct Actors<'a> {
    pub hr: &'a str,
    pub officer: &'a str,
    /// Approves what `officer` accepted (separation of duties).
    pub approver: &'a str,
    pub ss: &'a str,
    pub card: &'a str,
    pub employer_id: &'a str,
}

const PEOPLE: [(&str, &str, &str); 10] = [
    ("OLIVIA NOVAK", "CZE", "1984-03-09"),
    ("HIROSHI SATO", "JPN", "1979-11-21"),
    ("FATIMA DIALLO", "SEN", "1990-06-02"),
    ("ERIK LINDQVIST", "SWE", "1986-01-30"),
    ("ANA PEREIRA", "PRT", "1992-08-14"),
    ("NOAH WILLIAMS", "GBR", "1988-05-05"),
    ("LEILA HADDAD", "LBN", "1983-12-12"),
    ("IVAN PETROV", "BGR", "1981-04-18"),
    ("GRACE MWANGI", "KEN", "1991-09-27"),
    ("WALTER BRANDT", "AUT", "1957-02-03"),
];

fn form(i: usize, name: &str, nationality: &str, dob: &str) -> Value {
    let start = Utc::now().date_naive() + Days::new(30);
    json!({
        "kind": "new_from_abroad",
        "foreigner": { "name": name, "nationality": nationality, "sex": if i.is_multiple_of(2) { "female" } else { "male" },
                       "date_of_birth": dob, "passport_number": format!("DC{:07}", 2_000_000 + i * 7907) },
        "position": "Senior engineer",
        "contract": { "start_date": start, "end_date": start + Days::new(729), "annual_salary_cny": 480_000,
                      "work_location_region": "440106" },
        "scoring": { "education": "doctorate", "related_experience_years": 8, "months_per_year_in_china": 12,
                     "chinese_language": "hsk3", "recognised_talent": true }
    })
}

async fn permit(api: &Api, a: &Actors<'_>, i: usize) -> anyhow::Result<Value> {
    let (name, nat, dob) = PEOPLE[i];
    let (_, created) = api
        .call(
            Method::POST,
            "/api/v1/applications",
            a.hr,
            Some(form(i, name, nat, dob)),
        )
        .await?;
    let id = created["id"].as_str().context("no id")?;
    api.call(
        Method::POST,
        &format!("/api/v1/applications/{id}/submit"),
        a.hr,
        None,
    )
    .await?;
    let mut last = Value::Null;
    for step in ["accept", "preliminary_review", "approve"] {
        let body = json!({ "step": step, "outcome": "pass", "comment": "demo: reviewed" });
        last = api
            .call(
                Method::POST,
                &format!("/api/v1/applications/{id}/decisions"),
                if step == "approve" {
                    a.approver
                } else {
                    a.officer
                },
                Some(body),
            )
            .await?
            .1;
    }
    let n = last["permit_number"].as_str().context("no permit")?;
    Ok(api
        .call(Method::GET, &format!("/api/v1/permits/{n}"), a.hr, None)
        .await?
        .1)
}

async fn enrol(api: &Api, a: &Actors<'_>, p: &Value) -> anyhow::Result<String> {
    let body = json!({ "permit_number": p["permit_number"], "name": p["holder_name"], "start_date": p["valid_from"] });
    let (_, r) = api
        .call(
            Method::POST,
            "/api/v1/social-security/enrolments",
            a.ss,
            Some(body),
        )
        .await?;
    Ok(r["ssn"].as_str().context("no ssn")?.to_owned())
}

async fn apply(api: &Api, a: &Actors<'_>, ssn: &str, delivered: bool) -> anyhow::Result<String> {
    let body = if delivered {
        json!({ "ssn": ssn, "bank_code": "ICBC", "delivery": { "recipient": "Demo Holder", "phone": "+86 20 8888 0000",
                 "address": "88 Tianhe North Road, Guangzhou", "region_code": "440106" } })
    } else {
        json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" })
    };
    let (_, r) = api
        .call(Method::POST, "/api/v1/cards", a.card, Some(body))
        .await?;
    Ok(r["card_number"].as_str().context("no card")?.to_owned())
}

async fn event(api: &Api, a: &Actors<'_>, card: &str, body: Value) -> anyhow::Result<Value> {
    Ok(api
        .call(
            Method::POST,
            &format!("/api/v1/cards/{card}/events"),
            a.card,
            Some(body),
        )
        .await?
        .1)
}

/// A bank card number with a valid Luhn digit, for demo card `i`.
fn bank_account(i: usize) -> String {
    let body = format!("621226{:012}", 100_000 + i);
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(k, b)| {
            let d = u32::from(b - b'0');
            if k % 2 == 0 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

/// Returns the e-card holders' sign-in names (their permit numbers) with what
/// each shows.
pub async fn fill(api: &Api, a: &Actors<'_>) -> anyhow::Result<Vec<(String, &'static str)>> {
    let mut ssns = Vec::new();
    let mut permits = Vec::new();
    for i in 0..PEOPLE.len() {
        let p = permit(api, a, i).await?;
        ssns.push(enrol(api, a, &p).await?);
        permits.push(p);
    }
    // Five cards go to the manufacturer; four come back produced.
    let mut batched = Vec::new();
    for ssn in &ssns[..5] {
        batched.push(apply(api, a, ssn, true).await?);
    }
    let (_, b) = api
        .call(Method::POST, "/api/v1/card-batches", a.card, None)
        .await?;
    let batch = b["manifest"]["batch_id"].as_str().context("no batch")?;
    let lines: Vec<String> = batched[1..]
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "card_number": c, "chip_serial": format!("DEMOCHIP{i:04}"), "bank_account": bank_account(i) }).to_string())
        .collect();
    api.call_ndjson(
        &format!("/api/v1/card-batches/{batch}/result"),
        a.card,
        lines.join("\n"),
    )
    .await?;
    let ship = json!({ "type": "shipped", "courier": "EMS", "tracking_number": "EMS1234567890CN" });
    event(api, a, &batched[2], ship.clone()).await?;
    event(api, a, &batched[3], ship).await?;
    event(api, a, &batched[3], json!({ "type": "delivered" })).await?;
    event(
        api,
        a,
        &batched[4],
        json!({ "type": "frozen", "note": "holder's request" }),
    )
    .await?;
    // Applied, waiting for the next batch.
    apply(api, a, &ssns[5], true).await?;
    // Window issuance; one lost and replaced.
    for (k, i) in [6usize, 7, 8].into_iter().enumerate() {
        let card = apply(api, a, &ssns[i], false).await?;
        let body = json!({ "type": "issued_at_window", "chip_serial": format!("WINCHIP{k:05}"), "bank_account": bank_account(50 + k) });
        event(api, a, &card, body).await?;
        if i == 7 {
            event(
                api,
                a,
                &card,
                json!({ "type": "lost", "note": "lost on the metro" }),
            )
            .await?;
            event(api, a, &card, json!({ "type": "replaced" })).await?;
        }
        if i == 8 {
            // Employment ended: the permit is cancelled, the card frozen and
            // the insurances ended through the outbox.
            let n = permits[i]["permit_number"].clone();
            let cancel = json!({ "kind": "cancellation", "permit_number": n,
                                 "cancellation": { "employment_ended_on": Utc::now().date_naive() } });
            let (_, c) = api
                .call(Method::POST, "/api/v1/applications", a.hr, Some(cancel))
                .await?;
            let id = c["id"].as_str().context("no id")?;
            api.call(
                Method::POST,
                &format!("/api/v1/applications/{id}/submit"),
                a.hr,
                None,
            )
            .await?;
            for step in ["accept", "preliminary_review", "approve"] {
                let body =
                    json!({ "step": step, "outcome": "pass", "comment": "demo: employment ended" });
                api.call(
                    Method::POST,
                    &format!("/api/v1/applications/{id}/decisions"),
                    if step == "approve" {
                        a.approver
                    } else {
                        a.officer
                    },
                    Some(body),
                )
                .await?;
            }
            api.dispatch().await?;
        }
    }
    legacy_awaiting_registration(api, a).await?;
    // Two e-card holders: one with a delivered card, one over age (no pension)
    // who took the card at the window.
    let card = apply(api, a, &ssns[9], false).await?;
    let body = json!({ "type": "issued_at_window", "chip_serial": "WINCHIP00009", "bank_account": bank_account(90) });
    event(api, a, &card, body).await?;
    let mut holders = Vec::new();
    for (i, what) in [
        (3, "e-card holder, card delivered"),
        (
            9,
            "e-card holder, over age (no pension), card from the window",
        ),
    ] {
        register_holder(api, &permits[i]).await?;
        let n = permits[i]["permit_number"].as_str().context("no number")?;
        holders.push((n.to_owned(), what));
    }
    Ok(holders)
}

/// Register the permit's holder for the e-card through the public API; the
/// demo's real-person stand-in passes the (placeholder) selfie.
async fn register_holder(api: &Api, permit: &Value) -> anyhow::Result<()> {
    let body = json!({ "name": permit["holder_name"], "permit_number": permit["permit_number"],
                       "password": crate::demo::DEMO_PASSWORD, "lang": "en" });
    let (_, r) = api
        .call(Method::POST, "/api/v1/ecard/registrations", "", Some(body))
        .await?;
    let id = r["registration_id"].as_str().context("no registration")?;
    // A JPEG's first bytes: enough for the stand-in, which looks at nothing.
    let selfie = json!({ "image": "/9j/4AAQSkZJRgABAQ==" });
    api.call(
        Method::POST,
        &format!("/api/v1/ecard/registrations/{id}/real-person"),
        "",
        Some(selfie),
    )
    .await?;
    Ok(())
}

/// A permit that started 35 days ago and has no social security account yet:
/// past the employer's 30-day limit, at the top of the registration queue.
async fn legacy_awaiting_registration(api: &Api, a: &Actors<'_>) -> anyhow::Result<()> {
    let today = Utc::now().date_naive();
    let body = json!({ "employer_id": a.employer_id, "permit_number": "440106202600000035", "class": "B", "position": "Engineer",
        "valid_from": today - Days::new(35), "valid_to": today + Days::new(330),
        "foreigner": { "name": "TOMAS HORVAT", "nationality": "HRV", "sex": "male",
                       "date_of_birth": "1987-07-07", "passport_number": "DH0000035" } });
    api.call(Method::POST, "/api/v1/permits", a.officer, Some(body))
        .await?;
    Ok(())
}
