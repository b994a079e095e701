//! The server under load: in-process on a fresh database, or a running one.

use std::sync::Arc;
use zhengka_store::prelude::*;

use anyhow::Context;
use chrono::Utc;
use serde_json::json;
use sqlx::{Connection, Executor};
use zhengka_domain::employer::{Role, User};
use zhengka_domain::ids::Uscc;
use zhengka_server::auth::password;
use zhengka_server::{AppState, Config, router};
use zhengka_store::testing::with_database;
use zhengka_store::testing::{self, TestDatabase};
use zhengka_store::{Audit, SqlStore, Vault, Write};

use crate::cli::EMPLOYERS;
use crate::client::{Actors, Api};
use crate::verify::Source;

/// Password of every user the harness creates.
pub const PASSWORD: &str = "loadgen password, not a secret";

pub struct Env {
    pub backend: String,
    pub api: Api,
    pub actors: Actors,
    pub employer_ids: Vec<String>,
    pub source: Source,
    /// The run's database, for the bare-commit yardstick (in-process only).
    pub database_url: Option<String>,
    /// True when the database holds only what the harness wrote.
    pub exclusive: bool,
    fresh: Fresh,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// The fresh database, removed after a clean run.
enum Fresh {
    None,
    Sqlite(TestDatabase),
    Postgres { admin_url: String, name: String },
}

/// A tag that keeps names unique across runs against the same server.
pub fn run_tag() -> u32 {
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    u32::try_from(nanos.rem_euclid(1_000_000)).unwrap_or_default()
}

/// Start the real router in this process on 127.0.0.1:0 over a fresh database.
pub async fn in_process(
    backend: &str,
    postgres_url: Option<&str>,
    clients: usize,
) -> anyhow::Result<Env> {
    let (url, fresh) = match backend {
        "sqlite" => {
            let db = testing::sqlite();
            (db.url.clone(), Fresh::Sqlite(db))
        }
        _ => {
            let admin_url = postgres_url
                .context("--backend postgres needs ZHENGKA_TEST_DATABASE_URL or --database-url")?;
            let name = format!("zk_load_{}", run_tag());
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .context("PostgreSQL is unreachable")?;
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            conn.close().await.ok();
            (
                with_database(admin_url, &name),
                Fresh::Postgres {
                    admin_url: admin_url.to_owned(),
                    name,
                },
            )
        }
    };
    let vault = Vault::from_key_material(&Vault::generate_key_material())?;
    let store = Arc::new(SqlStore::connect(&url, vault).await?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = router(AppState::new(store.clone(), Config::default()));
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("server stopped: {e}");
        }
    });
    insert_admin(store.as_ref()).await?;
    let api = Api::new(&base, clients * 2)?;
    let admin = api.login("admin", PASSWORD).await?;
    let (employer_ids, actors) = cast(&api, &admin).await?;
    Ok(Env {
        backend: backend.to_owned(),
        api,
        actors,
        employer_ids,
        source: Source::Store(store),
        database_url: Some(url),
        exclusive: true,
        fresh,
        server: Some(server),
    })
}

/// Use a server that is already running on 127.0.0.1.
pub async fn target(url: &str, admin_password: &str, clients: usize) -> anyhow::Result<Env> {
    let parsed = reqwest::Url::parse(url).context("--target is not a URL")?;
    anyhow::ensure!(
        matches!(parsed.host_str(), Some("127.0.0.1" | "localhost")),
        "--target must be on 127.0.0.1"
    );
    let api = Api::new(url, clients * 2)?;
    let admin = api.login("admin", admin_password).await?;
    let (employer_ids, actors) = cast(&api, &admin).await?;
    Ok(Env {
        backend: format!("target {url}"),
        source: Source::Http {
            api: api.clone(),
            admin,
        },
        api,
        actors,
        employer_ids,
        database_url: None,
        exclusive: false,
        fresh: Fresh::None,
        server: None,
    })
}

impl Env {
    /// Stop the server; drop the fresh database unless it should be kept.
    pub async fn teardown(self, keep: bool) -> anyhow::Result<()> {
        if let Some(s) = &self.server {
            s.abort();
        }
        if let Source::Store(store) = &self.source {
            store.close().await;
        }
        match self.fresh {
            Fresh::Postgres { admin_url, name } if !keep => {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                conn.close().await.ok();
            }
            Fresh::Postgres { name, .. } => {
                eprintln!("kept PostgreSQL database {name} for inspection")
            }
            Fresh::Sqlite(db) if keep => {
                eprintln!("kept SQLite database {} for inspection", db.url);
                std::mem::forget(db);
            }
            Fresh::Sqlite(_) | Fresh::None => {}
        }
        Ok(())
    }
}

/// The first admin, straight into the store (as `zhengka serve` does).
pub async fn insert_admin(store: &SqlStore) -> anyhow::Result<()> {
    let user = User {
        id: "u-admin".into(),
        username: "admin".into(),
        role: Role::Admin,
        employer_id: None,
        region_code: None,
        created_at: Utc::now(),
    };
    let hash = password::hash(PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("hashing: {e:?}"))?;
    let audit = Audit {
        at: Utc::now(),
        actor: "loadgen".into(),
        action: "user.created",
        entity_type: "user",
        entity_id: user.id.clone(),
        details: json!({}),
    };
    store.insert_user(&user, &hash, Write::new(audit)).await?;
    Ok(())
}

/// Employers in Guangzhou with an agent each, and two Guangdong permit officers.
pub async fn cast(api: &Api, admin: &str) -> anyhow::Result<(Vec<String>, Actors)> {
    let tag = run_tag();
    let mut employer_ids = vec![];
    let mut agents = vec![];
    for i in 0..EMPLOYERS {
        let serial = u64::from(tag) * 10 + i as u64;
        let uscc = Uscc::with_check_character(&format!("91440106{serial:09}"))
            .map_err(|e| anyhow::anyhow!("uscc: {e:?}"))?;
        let body = json!({ "uscc": uscc.as_str(), "name": format!("Loadgen employer {tag}-{i}"),
                           "region_code": "440106", "address": "1 Load Road" });
        let e = api.expect("/api/v1/employers", admin, &body, 201).await?;
        let id = e["id"].as_str().context("employer without id")?.to_owned();
        let username = format!("lg{tag}.agent{i}");
        let body = json!({ "username": username, "password": PASSWORD, "role": "employer_agent", "employer_id": id });
        api.expect("/api/v1/users", admin, &body, 201).await?;
        agents.push(api.login(&username, PASSWORD).await?);
        employer_ids.push(id);
    }
    // Two officers: the one who accepted an application may not approve it
    // (separation of duties).
    let mut officers = vec![];
    for name in ["officer", "approver"] {
        let username = format!("lg{tag}.{name}");
        let body = json!({ "username": username, "password": PASSWORD, "role": "permit_officer", "region_code": "440000" });
        api.expect("/api/v1/users", admin, &body, 201).await?;
        officers.push(api.login(&username, PASSWORD).await?);
    }
    let approver = officers.pop().context("two officers")?;
    let officer = officers.pop().context("two officers")?;
    Ok((
        employer_ids,
        Actors {
            agents,
            officer,
            approver,
            run_tag: tag,
        },
    ))
}
