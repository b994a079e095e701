use std::future::Future;
use std::sync::Arc;
use zhengka_store::prelude::*;

use chrono::{Days, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use zhengka_credential::{Algorithm, Pkcs8, SigningKey};
use zhengka_domain::employer::{Role, User};
use zhengka_server::auth::password;
use zhengka_server::credentials::{Credentials, issuer_key};
use zhengka_server::providers::Providers;
use zhengka_server::providers::outgoing::OutgoingTls;
use zhengka_server::providers::real_person::RealPersonProvider;
use zhengka_server::{AppState, Config, router};
use zhengka_store::testing::{self, TestDatabase};
use zhengka_store::{Audit, AuditFilter, SqlStore, Store, Vault, Write};

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub backend: &'static str,
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<SqlStore>,
    pub admin: String,
    /// The trust anchor's public key, provisioned to verifiers out of band.
    pub anchor: zhengka_credential::PublicKey,
    /// The server's issuer key (to sign card credentials the server does not
    /// issue yet) and the anchor key, as PKCS#8.
    pub keys: (Pkcs8, Pkcs8),
    vault_key: [u8; 64],
    /// The fake real-person provider every server of this test talks to.
    pub provider: String,
    approver: tokio::sync::OnceCell<String>,
    /// The deployment's issuer region (Guangdong unless spawned elsewhere).
    pub region: &'static str,
    _db: TestDatabase,
}

const REGION: &str = "440000";

/// The deployment's credentials, rebuilt from its keys (as a restart would).
fn credentials_in(region: &str, (issuer, anchor): &(Pkcs8, Pkcs8)) -> Credentials {
    let issuer = SigningKey::from_pkcs8(Algorithm::Es256, issuer).unwrap();
    let anchor = SigningKey::from_pkcs8(Algorithm::Es256, anchor).unwrap();
    let key = issuer_key(issuer.public_key().clone(), region, 0, i64::MAX / 2);
    Credentials::new(region, issuer, anchor, vec![key]).unwrap()
}

/// A server on a free port over `store`; its base URL.
async fn serve(store: Arc<SqlStore>, creds: Credentials, provider: &str) -> String {
    serve_with(store, creds, test_config(), provider).await
}

/// What every test server has besides the defaults: clients told apart by
/// `x-forwarded-for` (as behind a proxy), so tests can play several sources.
fn test_config() -> Config {
    Config {
        client_address_header: Some("x-forwarded-for".into()),
        ..Config::default()
    }
}

async fn serve_with(
    store: Arc<SqlStore>,
    creds: Credentials,
    config: Config,
    provider: &str,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let real_person = RealPersonProvider::http(
        provider,
        crate::fake_provider::TOKEN,
        0.8,
        std::time::Duration::from_secs(2),
        &OutgoingTls::default(),
    )
    .unwrap();
    let providers = Providers {
        real_person: Some(real_person),
        ..Providers::default()
    };
    let state = AppState::with_credentials(store, config, creds).with_providers(providers);
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

/// Run `story` once per configured backend, each on a fresh database.
pub async fn each_backend<F, Fut>(story: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for db in testing::all().await {
        let app = TestApp::spawn(db).await;
        eprintln!("-- backend: {}", app.backend);
        story(app).await;
    }
}

pub struct Response {
    pub status: u16,
    pub body: Value,
}

impl Response {
    /// The error code and field of an error response.
    pub fn error(&self) -> (&str, Option<&str>) {
        let e = &self.body["error"];
        (
            e["code"].as_str().unwrap_or("<no code>"),
            e["field"].as_str(),
        )
    }
}

impl TestApp {
    /// Move a permit's approval `days` into the past, as if it had been
    /// approved then: an entry (and a missed check) must come after it.
    pub async fn backdate_approval(&self, number: &str, days: u64) {
        let number = zhengka_domain::permits::permit::PermitNumber::parse(number).unwrap();
        let mut permit = self.store.get_permit(&number).await.unwrap();
        permit.issued_at -= chrono::Duration::days(i64::try_from(days).unwrap());
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

    pub async fn spawn(db: TestDatabase) -> Self {
        Self::spawn_in(db, REGION).await
    }

    /// A deployment of another region: its own database, keys and issuer region.
    pub async fn spawn_in(db: TestDatabase, region: &'static str) -> Self {
        let vault_key = Vault::generate_key_material();
        let vault = Vault::from_key_material(&vault_key).unwrap();
        let store = Arc::new(SqlStore::connect(&db.url, vault).await.expect("connect"));
        let new_key = || SigningKey::generate(Algorithm::Es256).unwrap();
        let keys = (new_key().to_pkcs8().clone(), new_key().to_pkcs8().clone());
        let creds = credentials_in(region, &keys);
        let anchor = creds.anchor_public().clone();
        let (provider, _) = crate::fake_provider::start().await;
        let base = serve(store.clone(), creds, &provider).await;
        let mut this = Self {
            backend: db.backend,
            base,
            client: reqwest::Client::new(),
            store,
            admin: String::new(),
            anchor,
            keys,
            vault_key,
            provider,
            approver: tokio::sync::OnceCell::new(),
            region,
            _db: db,
        };
        this.insert_user("admin", Role::Admin, None, None).await;
        this.admin = this.login("admin").await;
        this
    }

    /// Another server on the same database, with its own connections and its own
    /// in-memory state: what a restart, or a second instance, looks like.
    pub async fn another_server(&self) -> String {
        let vault = Vault::from_key_material(&self.vault_key).unwrap();
        let store = SqlStore::connect(&self._db.url, vault).await.unwrap();
        serve(
            Arc::new(store),
            credentials_in(self.region, &self.keys),
            &self.provider,
        )
        .await
    }

    /// The state of another instance on the same database (its own
    /// connections, caches and job lease holder name), not yet serving.
    pub async fn another_state(&self) -> AppState {
        let vault = Vault::from_key_material(&self.vault_key).unwrap();
        let store = SqlStore::connect(&self._db.url, vault).await.unwrap();
        AppState::with_credentials(
            Arc::new(store),
            Config::default(),
            credentials_in(self.region, &self.keys),
        )
    }

    /// Another server on the same database with its own configuration (a
    /// province's policy, say).
    pub async fn server_with(&self, config: Config) -> String {
        let vault = Vault::from_key_material(&self.vault_key).unwrap();
        let store = SqlStore::connect(&self._db.url, vault).await.unwrap();
        serve_with(
            Arc::new(store),
            credentials_in(self.region, &self.keys),
            config,
            &self.provider,
        )
        .await
    }

    /// A second Guangdong permit officer: separation of duties wants another
    /// officer than the one who accepted to approve.
    pub async fn approver(&self) -> String {
        self.approver
            .get_or_init(|| self.user("approver.gd", "permit_officer", None, Some("440000")))
            .await
            .clone()
    }

    async fn insert_user(
        &self,
        username: &str,
        role: Role,
        employer: Option<&str>,
        region: Option<&str>,
    ) {
        let user = User {
            id: format!("u-{username}"),
            username: username.into(),
            role,
            employer_id: employer.map(str::to_owned),
            region_code: region.map(|r| r.parse().unwrap()),
            created_at: Utc::now(),
        };
        let hash = password::hash(PASSWORD.into()).await.unwrap();
        let audit = Audit {
            at: Utc::now(),
            actor: "test".into(),
            action: "user.created",
            entity_type: "user",
            entity_id: user.id.clone(),
            details: json!({}),
        };
        self.store
            .insert_user(&user, &hash, Write::new(audit))
            .await
            .unwrap();
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Response { status, body }
    }

    /// A connection beside the server, for what the API deliberately does not
    /// offer: reading raw rows and tampering with them.
    pub async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self._db.url)
            .await
            .expect("raw connection to the test database")
    }

    /// The SQLite database file, when the backend is SQLite.
    pub fn sqlite_file(&self) -> Option<std::path::PathBuf> {
        self._db.url.strip_prefix("sqlite://").map(Into::into)
    }

    pub async fn bytes(&self, path: &str) -> Vec<u8> {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200, "{path}");
        res.bytes().await.unwrap().to_vec()
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.request(Method::POST, path, token, Some(body), &[])
            .await
    }

    pub async fn login(&self, username: &str) -> String {
        let r = self
            .post(
                "/api/v1/sessions",
                "",
                &json!({ "username": username, "password": PASSWORD }),
            )
            .await;
        assert_eq!(r.status, 201, "login {username}: {:?}", r.body);
        r.body["token"].as_str().unwrap().to_owned()
    }

    /// Register an employer through the API; returns its id.
    pub async fn employer(&self, uscc: &str, region: &str) -> String {
        let body = json!({ "uscc": uscc, "name": format!("Employer {uscc}"), "region_code": region, "address": "1 Test Road" });
        let r = self.post("/api/v1/employers", &self.admin, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    /// Create a user through the API and sign in; returns the token.
    pub async fn user(
        &self,
        username: &str,
        role: &str,
        employer_id: Option<&str>,
        region: Option<&str>,
    ) -> String {
        let mut body = json!({ "username": username, "password": PASSWORD, "role": role });
        if let Some(e) = employer_id {
            body["employer_id"] = json!(e);
        }
        if let Some(r) = region {
            body["region_code"] = json!(r);
        }
        let r = self.post("/api/v1/users", &self.admin, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        self.login(username).await
    }

    pub async fn audit_count(&self) -> usize {
        let f = AuditFilter {
            limit: 100_000,
            ..AuditFilter::default()
        };
        self.store.audit_events(&f).await.unwrap().len()
    }

    /// The usual cast: one employer in Guangzhou with an agent, a Guangdong
    /// permit officer. Returns (employer_id, agent token, officer token).
    pub async fn cast(&self) -> (String, String, String) {
        let employer = self.employer(USCC_A, "440106").await;
        let agent = self
            .user("hr@a", "employer_agent", Some(&employer), None)
            .await;
        let officer = self
            .user("officer.gd", "permit_officer", None, Some("440000"))
            .await;
        (employer, agent, officer)
    }

    /// File, submit and take an application through every review step.
    pub async fn approve(&self, agent: &str, officer: &str, form: &Value) -> Value {
        let created = self.post("/api/v1/applications", agent, form).await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        let r = self
            .post(
                &format!("/api/v1/applications/{id}/submit"),
                agent,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let mut last = r.body;
        let approver = self.approver().await;
        for step in ["accept", "preliminary_review", "approve"] {
            let who = if step == "approve" {
                &approver
            } else {
                officer
            };
            let r = self
                .post(
                    &format!("/api/v1/applications/{id}/decisions"),
                    who,
                    &json!({ "step": step, "outcome": "pass" }),
                )
                .await;
            assert_eq!(r.status, 200, "{step}: {:?}", r.body);
            last = r.body;
        }
        last
    }
}

/// Valid Unified Social Credit Codes.
pub const USCC_A: &str = "91350100M000100Y43";
pub fn uscc(first17: &str) -> String {
    zhengka_domain::ids::Uscc::with_check_character(first17)
        .unwrap()
        .to_string()
}

pub fn new_from_abroad(passport: &str) -> Value {
    let start = Utc::now().date_naive() + Days::new(20);
    json!({
        "kind": "new_from_abroad",
        "foreigner": { "name": "Anno Bernhard Dederichs", "nationality": "DEU", "sex": "male",
                       "date_of_birth": "1970-05-01", "passport_number": passport },
        "position": "Professor",
        "contract": { "start_date": start, "end_date": start + Days::new(729),
                      "annual_salary_cny": 300000, "work_location_region": "440106" },
        "scoring": { "education": "doctorate", "related_experience_years": 10,
                     "months_per_year_in_china": 12, "chinese_language": "hsk3" }
    })
}
