//! Demo data: realistic employers, users and applications in every state, made
//! through the real API so every rule applies to them too.

use std::sync::Arc;

use anyhow::{Context, bail, ensure};
use axum::body::Body;
use axum::http::{Method, Request};
use chrono::{Days, Utc};
use serde_json::{Value, json};
use tower::ServiceExt;
use zhengka_domain::employer::{Address, Employer, EmployerName, Role};
use zhengka_domain::ids::{RegionCode, Uscc};
use zhengka_server::api::users::NewUser;
use zhengka_server::credentials::Credentials;
use zhengka_server::providers::Providers;
use zhengka_server::providers::real_person::RealPersonProvider;
use zhengka_server::{AppState, Config, router};
use zhengka_store::{Audit, Store, Write};

pub const DEMO_PASSWORD: &str = "demo-password-2026";

pub async fn fill_if_empty(store: Arc<dyn Store>, creds: Credentials) -> anyhow::Result<()> {
    if store.list_employers(None, 1).await?.is_empty() {
        fill(store, creds).await?;
    }
    Ok(())
}

pub async fn fill(store: Arc<dyn Store>, creds: Credentials) -> anyhow::Result<()> {
    ensure!(
        store.list_employers(None, 1).await?.is_empty(),
        "the database already has employers"
    );
    let gz = employer(
        &store,
        "91440101MA5CXXXX0",
        "Lingnan Research Institute",
        "440106",
    )
    .await?;
    let sz = employer(
        &store,
        "91440300MA5DYYYY1",
        "Shenzhen Bay Robotics Co., Ltd.",
        "440305",
    )
    .await?;
    user(&store, "hr@lingnan", Role::EmployerAgent, Some(&gz), None).await?;
    user(
        &store,
        "hr@sz-robotics",
        Role::EmployerAgent,
        Some(&sz),
        None,
    )
    .await?;
    user(
        &store,
        "officer.gd",
        Role::PermitOfficer,
        None,
        Some("440000"),
    )
    .await?;
    user(
        &store,
        "police.gd",
        Role::PoliceOfficer,
        None,
        Some("440000"),
    )
    .await?;
    // A second permit officer: separation of duties has another officer
    // approve what officer.gd accepted.
    user(
        &store,
        "approver.gd",
        Role::PermitOfficer,
        None,
        Some("440000"),
    )
    .await?;
    let ss_region = Some("440000");
    user(
        &store,
        "ss.gd",
        Role::SocialSecurityOfficer,
        None,
        ss_region,
    )
    .await?;
    user(&store, "card.gd", Role::CardOfficer, None, ss_region).await?;
    let api = Api::new(store.clone(), creds);
    let hr = api.sign_in("hr@lingnan").await?;
    let hr2 = api.sign_in("hr@sz-robotics").await?;
    let officer = api.sign_in("officer.gd").await?;
    let approver = api.sign_in("approver.gd").await?;
    let steps: [&[(&str, &str)]; 7] = [
        &[],
        &[("submit", "")],
        &[("submit", ""), ("accept", "pass")],
        &[
            ("submit", ""),
            ("accept", "pass"),
            ("preliminary_review", "pass"),
        ],
        &[
            ("submit", ""),
            ("accept", "pass"),
            ("preliminary_review", "return"),
        ],
        &[
            ("submit", ""),
            ("accept", "pass"),
            ("preliminary_review", "pass"),
            ("approve", "pass"),
        ],
        &[("submit", ""), ("accept", "reject")],
    ];
    let people = [
        "ANNO BERNHARD DEDERICHS",
        "MARIA GONZALEZ LOPEZ",
        "KENJI TANAKA",
        "AMARA OKAFOR",
        "LUCAS MARTIN",
        "SOFIA ROSSI",
        "DAVID COHEN",
    ];
    for (i, (path, name)) in steps.iter().zip(people).enumerate() {
        let token = if i.is_multiple_of(2) { &hr } else { &hr2 };
        let form = new_from_abroad(name, i);
        let (_, created) = api
            .call(Method::POST, "/api/v1/applications", token, Some(form))
            .await?;
        let id = created["id"].as_str().context("no id")?.to_owned();
        for (step, outcome) in path.iter() {
            if *step == "submit" {
                api.call(
                    Method::POST,
                    &format!("/api/v1/applications/{id}/submit"),
                    token,
                    None,
                )
                .await?;
            } else {
                let body = json!({ "step": step, "outcome": outcome, "comment": "demo: reviewed" });
                api.call(
                    Method::POST,
                    &format!("/api/v1/applications/{id}/decisions"),
                    if *step == "approve" {
                        &approver
                    } else {
                        &officer
                    },
                    Some(body),
                )
                .await?;
            }
        }
    }
    let ss = api.sign_in("ss.gd").await?;
    let card = api.sign_in("card.gd").await?;
    let actors = crate::demo_cards::Actors {
        hr: &hr,
        officer: &officer,
        approver: &approver,
        ss: &ss,
        card: &card,
        employer_id: &gz,
    };
    let holders = crate::demo_cards::fill(&api, &actors).await?;
    let services = crate::demo_services::fill(store.as_ref()).await?;
    println!(
        "demo data ready ({services} one-card services in the catalogue). Sign in with password '{DEMO_PASSWORD}' as:"
    );
    for (u, what) in [
        (
            "hr@lingnan",
            "employer agent, Lingnan Research Institute (Guangzhou)",
        ),
        ("hr@sz-robotics", "employer agent, Shenzhen Bay Robotics"),
        ("officer.gd", "permit officer, Guangdong"),
        ("approver.gd", "permit officer, Guangdong (approves)"),
        ("police.gd", "police officer, Guangdong"),
        ("ss.gd", "social security officer, Guangdong"),
        ("card.gd", "card officer, Guangdong"),
    ] {
        println!("  {u:<16} {what}");
    }
    for (u, what) in holders {
        println!("  {u:<20} {what} (the demo's real-person stand-in vouched for them)");
    }
    Ok(())
}

fn new_from_abroad(name: &str, i: usize) -> Value {
    let today = Utc::now().date_naive();
    let start = today + Days::new(30);
    let end = start + Days::new(729);
    let nationality = ["DEU", "ESP", "JPN", "NGA", "FRA", "ITA", "ISR"][i % 7];
    let position = [
        "Professor",
        "Robotics engineer",
        "Research fellow",
        "Data scientist",
        "Chief designer",
        "Lecturer",
        "Product manager",
    ][i % 7];
    let education = ["doctorate", "master", "bachelor"][i % 3];
    json!({
        "kind": "new_from_abroad",
        "foreigner": { "name": name, "nationality": nationality,
                       "sex": if i.is_multiple_of(2) { "male" } else { "female" },
                       "date_of_birth": format!("{}-0{}-15", 1970 + i * 3, 1 + i % 9),
                       "passport_number": format!("DM{:07}", 1_000_000 + i * 7919) },
        "position": position,
        "contract": { "start_date": start, "end_date": end, "annual_salary_cny": 180_000 + 90_000 * i as u64,
                      "work_location_region": "440106" },
        "scoring": { "education": education, "related_experience_years": 3 + i as u32,
                     "months_per_year_in_china": 12, "chinese_language": "hsk3" },
        "materials": [{ "kind": "passport_copy", "file_name": "passport.pdf" }, { "kind": "employment_contract", "file_name": "contract.pdf" }]
    })
}

async fn employer(
    store: &Arc<dyn Store>,
    first17: &str,
    name: &str,
    region: &str,
) -> anyhow::Result<String> {
    let e = Employer {
        id: uuid_like(),
        uscc: Uscc::with_check_character(first17).map_err(|e| anyhow::anyhow!("{e}"))?,
        name: EmployerName::parse(name).map_err(|e| anyhow::anyhow!("{e}"))?,
        region_code: RegionCode::parse(region).map_err(|e| anyhow::anyhow!("{e}"))?,
        address: Address::parse("1 Demo Road").map_err(|e| anyhow::anyhow!("{e}"))?,
        created_at: Utc::now(),
    };
    let audit = Audit {
        at: Utc::now(),
        actor: "demo".into(),
        action: "employer.created",
        entity_type: "employer",
        entity_id: e.id.clone(),
        details: json!({ "uscc": e.uscc.as_str() }),
    };
    store.insert_employer(&e, Write::new(audit)).await?;
    Ok(e.id)
}

fn uuid_like() -> String {
    zhengka_server::auth::token::generate()[..32].to_owned()
}

async fn user(
    store: &Arc<dyn Store>,
    username: &str,
    role: Role,
    employer: Option<&str>,
    region: Option<&str>,
) -> anyhow::Result<()> {
    let body = NewUser {
        username: username.into(),
        password: DEMO_PASSWORD.into(),
        role,
        employer_id: employer.map(str::to_owned),
        region_code: region.map(|r| RegionCode::parse(r).expect("demo region is valid")),
    };
    crate::users::add_user(store.clone(), body, "demo").await?;
    Ok(())
}

/// The real router, called in-process.
pub(crate) struct Api {
    router: axum::Router,
    pub(crate) store: Arc<dyn Store>,
}

impl Api {
    fn new(store: Arc<dyn Store>, creds: Credentials) -> Self {
        Self {
            // The demo's holders are vouched for by the demo stand-in.
            router: router(
                AppState::with_credentials(store.clone(), Config::default(), creds).with_providers(
                    Providers {
                        real_person: Some(RealPersonProvider::Demo),
                        ..Providers::default()
                    },
                ),
            ),
            store,
        }
    }

    /// Deliver the outbox events now, as the dispatcher job does.
    pub(crate) async fn dispatch(&self) -> anyhow::Result<()> {
        zhengka_server::jobs::dispatch_once(self.store.as_ref(), Utc::now()).await?;
        Ok(())
    }

    /// POST a JSON-lines body (a card batch's return file).
    pub(crate) async fn call_ndjson(
        &self,
        path: &str,
        token: &str,
        body: String,
    ) -> anyhow::Result<Value> {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/x-ndjson")
            .body(Body::from(body))?;
        self.send(path, req).await.map(|(_, v)| v)
    }

    async fn sign_in(&self, username: &str) -> anyhow::Result<String> {
        let body = json!({ "username": username, "password": DEMO_PASSWORD });
        let (_, v) = self
            .call(Method::POST, "/api/v1/sessions", "", Some(body))
            .await?;
        Ok(v["token"].as_str().context("no token")?.to_owned())
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<(u16, Value)> {
        let mut req = Request::builder().method(method).uri(path);
        if !token.is_empty() {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))?,
            None => req.body(Body::empty())?,
        };
        self.send(path, req).await
    }

    async fn send(&self, path: &str, req: Request<Body>) -> anyhow::Result<(u16, Value)> {
        let res = self.router.clone().oneshot(req).await?;
        let status = res.status().as_u16();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 20).await?;
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status >= 300 {
            bail!("demo call {path} failed with {status}: {v}");
        }
        Ok((status, v))
    }
}
