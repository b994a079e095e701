//! A real server on port 0 with a fresh SQLite database, and its cast.

use std::sync::Arc;
use zhengka_store::prelude::*;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use zhengka_domain::employer::{Role, User};
use zhengka_server::auth::password;
use zhengka_server::providers::Providers;
use zhengka_server::providers::outgoing::OutgoingTls;
use zhengka_server::providers::real_person::RealPersonProvider;
use zhengka_server::{AppState, Config, router};
use zhengka_store::testing::{self, TestDatabase};
use zhengka_store::{Audit, SqlStore, Write};

pub const PASSWORD: &str = "a long test password";
pub const USCC: &str = "91350100M000100Y43";
pub const AGENT: &str = "hr@lingnan";
pub const OFFICER: &str = "officer.gd";
/// A second permit officer: separation of duties has another than the one
/// who accepted approve.
pub const APPROVER: &str = "approver.gd";
pub const POLICE: &str = "police.gz";
pub const RELYING: &str = "clinic.gz";
pub const SS: &str = "ss.gd";
pub const CARD: &str = "card.gd";

pub struct Server {
    pub base: String,
    pub store: Arc<SqlStore>,
    /// The trust anchor's public key, as a verifier is given it.
    pub anchor: zhengka_credential::PublicKey,
    pub admin_token: String,
    _db: TestDatabase,
}

/// The built-in demo stand-in vouches for e-card holders (as `serve --demo`).
fn demo_providers() -> Providers {
    Providers {
        real_person: Some(RealPersonProvider::Demo),
        ..Providers::default()
    }
}

impl Server {
    pub async fn spawn() -> Self {
        Self::spawn_demo().await
    }

    /// A server with the deployment's own settings (authority, time zone),
    /// the demo real-person stand-in vouching for holders.
    pub async fn spawn_with(config: Config) -> Self {
        Self::start(config, demo_providers()).await
    }

    /// A server whose real-person step is the built-in demo (any photo passes,
    /// as under `serve --demo`).
    pub async fn spawn_demo() -> Self {
        Self::start(Config::default(), demo_providers()).await
    }

    /// A server with no real-person provider (registrations cannot finish).
    pub async fn spawn_without_provider() -> Self {
        Self::start(Config::default(), Providers::default()).await
    }

    /// A server whose real-person provider is the API tests' fake: the probe
    /// image's last bytes pick its answer (`pass`, `stranger`...).
    pub async fn spawn_fake_provider() -> Self {
        let (url, _) = crate::fake_provider::start().await;
        let timeout = std::time::Duration::from_secs(5);
        let provider = RealPersonProvider::http(
            &url,
            crate::fake_provider::TOKEN,
            0.8,
            timeout,
            &OutgoingTls::default(),
        )
        .expect("the fake's URL");
        let providers = Providers {
            real_person: Some(provider),
            ..Providers::default()
        };
        Self::start(Config::default(), providers).await
    }

    /// A server on `db` (a test run on every configured backend: SQLite, and
    /// PostgreSQL when `ZHENGKA_TEST_DATABASE_URL` is set).
    pub async fn spawn_on(db: TestDatabase, config: Config) -> Self {
        Self::start_on(db, config, demo_providers()).await
    }

    async fn start(config: Config, providers: Providers) -> Self {
        Self::start_on(testing::sqlite(), config, providers).await
    }

    async fn start_on(db: TestDatabase, config: Config, providers: Providers) -> Self {
        let store = Arc::new(db.connect().await.expect("connect"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(store.clone(), config).with_providers(providers);
        let anchor = state.credentials.anchor_public().clone();
        let app = router(state);
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut this = Self {
            base,
            store,
            anchor,
            admin_token: String::new(),
            _db: db,
        };
        this.insert_admin().await;
        this.admin_token = this.api_login("admin").await;
        this
    }

    /// Move a permit's approval `days` into the past (yesterday's approval
    /// for the follow-up queue): an entry must come after it.
    pub async fn backdate_approval(&self, number: &str, days: i64) {
        let number = zhengka_domain::permits::permit::PermitNumber::parse(number).unwrap();
        let mut permit = self.store.get_permit(&number).await.unwrap();
        permit.issued_at -= chrono::Duration::days(days);
        let audit = Audit {
            at: Utc::now(),
            actor: "test".into(),
            action: "test.backdated",
            entity_type: "permit",
            entity_id: number.as_str().to_owned(),
            details: json!({ "days": days }),
        };
        self.store
            .update_permit(&permit, Write::new(audit))
            .await
            .unwrap();
    }

    async fn insert_admin(&self) {
        let user = User {
            id: "u-admin".into(),
            username: "admin".into(),
            role: Role::Admin,
            employer_id: None,
            region_code: None,
            created_at: Utc::now(),
        };
        let hash = password::hash(PASSWORD.into()).await.unwrap();
        let audit = Audit {
            at: Utc::now(),
            actor: "test".into(),
            action: "user.created",
            entity_type: "user",
            entity_id: user.id.clone(),
            details: json!({ "username": "admin", "role": "admin" }),
        };
        self.store
            .insert_user(&user, &hash, Write::new(audit))
            .await
            .unwrap();
    }

    pub async fn api(&self, path: &str, token: &str, body: Value) -> Value {
        let mut req = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .json(&body);
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        let res = req.send().await.unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }

    pub async fn api_login(&self, username: &str) -> String {
        let body = json!({ "username": username, "password": PASSWORD });
        let r = self.api("/api/v1/sessions", "", body).await;
        r["token"].as_str().unwrap().to_owned()
    }

    /// An employer in Guangzhou with agent `AGENT` and Guangdong officer `OFFICER`.
    pub async fn cast(&self) {
        let body = json!({ "uscc": USCC, "name": "Lingnan Institute",
                           "region_code": "440106", "address": "1 Test Road" });
        let employer = self.api("/api/v1/employers", &self.admin_token, body).await;
        let users = [
            json!({ "username": AGENT, "password": PASSWORD, "role": "employer_agent",
                    "employer_id": employer["id"] }),
            json!({ "username": OFFICER, "password": PASSWORD, "role": "permit_officer",
                    "region_code": "440000" }),
            json!({ "username": APPROVER, "password": PASSWORD, "role": "permit_officer",
                    "region_code": "440000" }),
            json!({ "username": POLICE, "password": PASSWORD, "role": "police_officer",
                    "region_code": "440100" }),
            json!({ "username": RELYING, "password": PASSWORD, "role": "relying_party" }),
            json!({ "username": SS, "password": PASSWORD, "role": "social_security_officer",
                    "region_code": "440000" }),
            json!({ "username": CARD, "password": PASSWORD, "role": "card_officer",
                    "region_code": "440000" }),
        ];
        for u in users {
            self.api("/api/v1/users", &self.admin_token, u).await;
        }
    }

    /// A staff user of `region` (for cross-region checks).
    pub async fn staff(&self, username: &str, role: &str, region: &str) {
        let body = json!({ "username": username, "password": PASSWORD, "role": role,
                           "region_code": region });
        self.api("/api/v1/users", &self.admin_token, body).await;
    }

    /// POST to the API as `username`.
    pub async fn api_as(&self, path: &str, username: &str, body: Value) -> Value {
        let token = self.api_login(username).await;
        self.api(path, &token, body).await
    }

    pub async fn api_get(&self, path: &str, username: &str) -> Value {
        let token = self.api_login(username).await;
        let res = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        res.json().await.unwrap()
    }

    /// The Notice QR payload of an approved application, as the API gives it.
    pub async fn notice_qr(&self, application_id: &str) -> String {
        let path = format!("/api/v1/applications/{application_id}/notice");
        let notice = self.api_get(&path, AGENT).await;
        notice["qr"].as_str().unwrap().to_owned()
    }

    /// The employer files `form` and the officer approves it, through the API.
    pub async fn approve(&self, form: Value) -> Value {
        let agent = self.api_login(AGENT).await;
        let officer = self.api_login(OFFICER).await;
        let approver = self.api_login(APPROVER).await;
        let a = self.api("/api/v1/applications", &agent, form).await;
        let path = format!("/api/v1/applications/{}", a["id"].as_str().unwrap());
        self.api(&format!("{path}/submit"), &agent, json!({})).await;
        let mut last = Value::Null;
        for step in ["accept", "preliminary_review", "approve"] {
            let d = json!({ "step": step, "outcome": "pass" });
            let who = if step == "approve" {
                &approver
            } else {
                &officer
            };
            last = self.api(&format!("{path}/decisions"), who, d).await;
        }
        assert_eq!(last["status"], "approved");
        last
    }

    /// An approved new-from-abroad application (class B): its JSON.
    pub async fn approved_from_abroad(&self, passport: &str) -> Value {
        self.approved_for(passport, "MARIA SILVA", "1980-03-04")
            .await
    }

    /// The same for a holder called `name`, born on `born`.
    pub async fn approved_for(&self, passport: &str, name: &str, born: &str) -> Value {
        let start = Utc::now().date_naive() + Days::new(20);
        self.approve(json!({
            "kind": "new_from_abroad",
            "foreigner": { "name": name, "nationality": "BRA", "sex": "female",
                           "date_of_birth": born, "passport_number": passport },
            "position": "Engineer",
            "contract": { "start_date": start, "end_date": start + Days::new(729),
                          "annual_salary_cny": 300000, "work_location_region": "440106" },
            "scoring": { "education": "doctorate", "related_experience_years": 10,
                         "months_per_year_in_china": 12, "chinese_language": "hsk3" }
        }))
        .await
    }

    /// A permit recorded from the old system, valid since `days_ago` days
    /// (so its 30-day social security registration limit is near or past).
    pub async fn legacy_permit(&self, number: &str, days_ago: u64, passport: &str, name: &str) {
        let me = self.api_get("/api/v1/users/me", AGENT).await;
        let today = Utc::now().date_naive();
        let body = json!({ "employer_id": me["employer_id"], "permit_number": number, "class": "B",
            "position": "Engineer", "valid_from": today - Days::new(days_ago),
            "valid_to": today + Days::new(300),
            "foreigner": { "name": name, "nationality": "JPN", "sex": "male",
                           "date_of_birth": "1985-03-03", "passport_number": passport } });
        self.api_as("/api/v1/permits", OFFICER, body).await;
    }

    /// The employer files a cancellation of `permit` and the officer approves it.
    pub async fn cancel(&self, permit: &str) {
        let today = Utc::now().date_naive();
        self.approve(json!({ "kind": "cancellation", "permit_number": permit,
                             "cancellation": { "employment_ended_on": today } }))
            .await;
        let p = self
            .api_get(&format!("/api/v1/permits/{permit}"), AGENT)
            .await;
        assert_eq!(p["status"], "cancelled");
    }

    /// Run the outbox dispatcher now, as the job does every second.
    pub async fn dispatch(&self) {
        self.api(
            "/api/v1/admin/dispatch-events",
            &self.admin_token,
            Value::Null,
        )
        .await;
    }

    /// Register the holder of `permit` for an e-card through the API (the
    /// demo stand-in passes the real-person step); they sign in with the
    /// permit number and `PASSWORD`.
    pub async fn register_holder(&self, permit_number: &str, name: &str) {
        let body = json!({ "name": name, "permit_number": permit_number, "password": PASSWORD });
        let r = self.api("/api/v1/ecard/registrations", "", body).await;
        let id = r["registration_id"].as_str().unwrap();
        // A 1x1 PNG: the demo stand-in passes any image.
        let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        let path = format!("/api/v1/ecard/registrations/{id}/real-person");
        self.api(&path, "", json!({ "image": png })).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}
