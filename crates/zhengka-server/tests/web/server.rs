//! A real server on port 0 with a fresh SQLite database, and its cast.

use std::sync::Arc;

use chrono::Utc;
use serde_json::{Value, json};
use zhengka_domain::employer::{Role, User};
use zhengka_server::auth::password;
use zhengka_server::{AppState, Config, router};
use zhengka_store::testing::{self, TestDatabase};
use zhengka_store::{Audit, SqlStore, Store, Write};

pub const PASSWORD: &str = "a long test password";
pub const USCC: &str = "91350100M000100Y43";
pub const AGENT: &str = "hr@lingnan";
pub const OFFICER: &str = "officer.gd";

pub struct Server {
    pub base: String,
    pub store: Arc<SqlStore>,
    admin_token: String,
    _db: TestDatabase,
}

impl Server {
    pub async fn spawn() -> Self {
        let db = testing::sqlite();
        let store = Arc::new(db.connect().await.expect("connect"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = router(AppState::new(store.clone(), Config::default()));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let mut this = Self {
            base,
            store,
            admin_token: String::new(),
            _db: db,
        };
        this.insert_admin().await;
        this.admin_token = this.api_login("admin").await;
        this
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

    async fn api(&self, path: &str, token: &str, body: Value) -> Value {
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

    async fn api_login(&self, username: &str) -> String {
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
        ];
        for u in users {
            self.api("/api/v1/users", &self.admin_token, u).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}
