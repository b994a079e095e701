//! `zhengka-loadgen scale`: a database of N holders generated in bulk (see
//! `seed`), the real server over it in this process, and the figures of
//! issue 12 C.2 measured against a baseline of the same run (`bench`).

pub mod bench;
mod kept;
mod seed;

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{Connection, Executor};
use zhengka_domain::ecard::{Holder, HolderStatus, RealPersonResult, RealPersonSource};
use zhengka_domain::employer::{Role, User};
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_server::auth::password;
use zhengka_server::{AppState, Config, router};
use zhengka_store::prelude::*;
use zhengka_store::testing::with_database;
use zhengka_store::{Audit, SqlStore, Vault, Write};

use crate::client::{Api, new_from_abroad};
use crate::setup::{PASSWORD, cast, insert_admin, run_tag};

/// Options of `scale`.
#[derive(Debug, clap::Args)]
pub struct ScaleArgs {
    /// `sqlite` (a file in --data-dir) or `postgres` (a new database on
    /// --database-url's server, dropped at the end).
    #[arg(long, default_value = "sqlite")]
    pub backend: String,
    /// Holders to generate (each with a permit, status entries, a device).
    #[arg(long, default_value_t = 100_000)]
    pub holders: u64,
    #[arg(long, env = "ZHENGKA_TEST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Where the SQLite file goes (outside the repository).
    #[arg(long, default_value = "/work/scale-data")]
    pub data_dir: std::path::PathBuf,
    /// Without the devices (list 3).
    #[arg(long)]
    pub no_devices: bool,
    /// Concurrent clients of the latency runs.
    #[arg(long, default_value_t = 4)]
    pub clients: usize,
    /// Seconds of each latency run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Keep the database afterwards, with a 0600 file beside it in
    /// --data-dir (its URL, the store key, what was seeded) for `--reuse`.
    #[arg(long)]
    pub keep: bool,
    /// Bench a database an earlier `--keep` run left, without seeding: the
    /// file it wrote. The notifications earlier sweeps made are deleted first,
    /// so that the sweep does today's work again.
    #[arg(long, conflicts_with = "keep")]
    pub reuse: Option<std::path::PathBuf>,
    /// Run only these parts (e.g. `--only requests` while a profiler records).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<bench::Part>,
}

pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// An active holder record, as the e-card context stores it.
pub fn holder(id: &str, user_id: &str, permit_number: &PermitNumber) -> Holder {
    let at = Utc::now();
    Holder {
        id: id.to_owned(),
        user_id: user_id.to_owned(),
        permit_number: permit_number.clone(),
        status: HolderStatus::Active,
        real_person: RealPersonResult {
            source: RealPersonSource::Demo,
            score: 0.99,
            request_id: format!("seed-{id}"),
            checked_at: at,
        },
        lang: "en".into(),
        created_at: at,
        closed_at: None,
    }
}

enum Fresh {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

pub async fn run(args: &ScaleArgs) -> anyhow::Result<()> {
    if let Some(file) = &args.reuse {
        let kept = kept::load(file)?;
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&kept.url).await?;
        let earlier = "SELECT id FROM ecard_notifications WHERE id NOT LIKE 'n-seed-%'";
        sqlx::query(&format!(
            "DELETE FROM ecard_deliveries WHERE notification_id IN ({earlier})"
        ))
        .execute(&pool)
        .await?;
        let gone = sqlx::query("DELETE FROM ecard_notifications WHERE id NOT LIKE 'n-seed-%'")
            .execute(&pool)
            .await?;
        pool.close().await;
        eprintln!(
            "reusing {} ({} notifications of earlier sweeps deleted)",
            kept.url,
            gone.rows_affected()
        );
        return run_on(args, &kept.url, &kept.key, Some(kept.seeded)).await;
    }
    let tag = run_tag();
    let (url, fresh) = match args.backend.as_str() {
        "sqlite" => {
            std::fs::create_dir_all(&args.data_dir)?;
            let path = args.data_dir.join(format!("zk_scale_{tag}.db"));
            (format!("sqlite://{}", path.display()), Fresh::Sqlite(path))
        }
        "postgres" => {
            let admin_url = args
                .database_url
                .clone()
                .context("--backend postgres needs --database-url")?;
            let name = format!("zk_scale_{tag}");
            let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await?;
            conn.close().await.ok();
            (
                with_database(&admin_url, &name),
                Fresh::Postgres { admin_url, name },
            )
        }
        other => anyhow::bail!("--backend sqlite|postgres, not {other}"),
    };
    let key = Vault::generate_key_material();
    let outcome = run_on(args, &url, &key, None).await;
    if args.keep {
        eprintln!("kept the database at {url}");
    } else {
        match fresh {
            Fresh::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    std::fs::remove_file(p).ok();
                }
            }
            Fresh::Postgres { admin_url, name } => {
                let mut conn = sqlx::PgConnection::connect(&admin_url).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await?;
                conn.close().await.ok();
            }
        }
    }
    outcome
}

async fn run_on(
    args: &ScaleArgs,
    url: &str,
    key: &[u8],
    reused: Option<seed::Seeded>,
) -> anyhow::Result<()> {
    let store = Arc::new(SqlStore::connect(url, Vault::from_key_material(key)?).await?);
    let app = AppState::new(store.clone(), Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let served = router(app.clone());
    let server = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, served).await {
            eprintln!("server stopped: {e}");
        }
    });
    if reused.is_none() {
        insert_admin(store.as_ref()).await?;
    }
    let api = Api::new(&base, args.clients * 2)?;
    let admin = api.login("admin", PASSWORD).await?;
    let (employer_ids, actors) = cast(&api, &admin).await?;

    // One permit through the real workflow: its Notice is what the police
    // verify, its holder is the one who reads the e-card.
    let agent = &actors.agents[0];
    let form = new_from_abroad(&format!("SC{tag:07}", tag = actors.run_tag));
    let created = api
        .expect("/api/v1/applications", agent, &form, 201)
        .await?;
    let id = created["id"].as_str().context("application id")?.to_owned();
    api.expect(
        &format!("/api/v1/applications/{id}/submit"),
        agent,
        &json!(null),
        200,
    )
    .await?;
    for (step, token) in [
        ("accept", &actors.officer),
        ("preliminary_review", &actors.officer),
        ("approve", &actors.approver),
    ] {
        let body = json!({ "step": step, "outcome": "pass" });
        api.expect(
            &format!("/api/v1/applications/{id}/decisions"),
            token,
            &body,
            200,
        )
        .await?;
    }
    let notice = api
        .get(&format!("/api/v1/applications/{id}/notice"), agent, &[])
        .await?;
    let qr = notice.body["qr"].as_str().context("notice qr")?.to_owned();
    let number = PermitNumber::parse(
        notice.body["permit_number"]
            .as_str()
            .context("notice permit number")?,
    )
    .map_err(|e| anyhow::anyhow!("permit number: {e:?}"))?;
    let template = store.get_permit(&number).await?;

    let police = format!("lg{}.police", actors.run_tag);
    let body = json!({ "username": police, "password": PASSWORD, "role": "police_officer", "region_code": "440000" });
    api.expect("/api/v1/users", &admin, &body, 201).await?;
    let police = api.login(&police, PASSWORD).await?;
    let holder_token = bench_holder(&api, store.as_ref(), url, &number, actors.run_tag).await?;

    let seeded = match reused {
        Some(seeded) => seeded,
        None => {
            let plan = seed::Plan {
                holders: args.holders,
                devices: !args.no_devices,
                template,
                employer_id: employer_ids[0].clone(),
                vault: Vault::from_key_material(key)?,
                today: Utc::now().date_naive(),
            };
            let seeded = seed_all(args, url, &plan).await?;
            if args.keep {
                // Named after the database (its last path segment, or file).
                let name = url.rsplit('/').next().unwrap_or("zk_scale");
                let name = name.trim_end_matches(".db");
                let file = args.data_dir.join(format!("{name}.kept.json"));
                std::fs::create_dir_all(&args.data_dir)?;
                kept::save(&file, url, key, &seeded)?;
                eprintln!("to bench it again: scale --reuse {}", file.display());
            }
            seeded
        }
    };
    let env = bench::Env {
        backend: args.backend.clone(),
        api,
        app,
        police,
        holder: holder_token,
        qr,
        clients: args.clients,
        seconds: args.seconds,
        parts: match args.only.as_slice() {
            [] => bench::Part::ALL.to_vec(),
            some => some.to_vec(),
        },
    };
    let result = bench::run(&env, &seeded).await;
    server.abort();
    store.close().await;
    result
}

async fn seed_all(args: &ScaleArgs, url: &str, plan: &seed::Plan) -> anyhow::Result<seed::Seeded> {
    eprintln!("seeding {} holders into {}", args.holders, args.backend);
    let mut sink = seed::Sink::open(url).await?;
    let seeded = seed::seed(plan, &mut sink).await?;
    sink.close().await;
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        // VACUUM too: it sets the visibility map, as autovacuum would on a
        // running system, so index-only scans (the sweep) need no heap reads.
        conn.execute("VACUUM (ANALYZE)").await?;
        conn.close().await.ok();
    }
    eprintln!("seeded: {seeded:?}");
    Ok(seeded)
}

/// The holder of the real permit: a `foreigner` user with the harness's
/// password and an active e-card account; returns their session token.
async fn bench_holder(
    api: &Api,
    store: &SqlStore,
    url: &str,
    number: &PermitNumber,
    tag: u32,
) -> anyhow::Result<String> {
    let user = User {
        id: format!("u-bench-holder-{tag}"),
        username: Holder::username_for(number),
        role: Role::Foreigner,
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
    let h = holder(&format!("h-bench-{tag}"), &user.id, number);
    let pool = sqlx::AnyPool::connect(url).await?;
    sqlx::query(
        "INSERT INTO ecard_holders (id, user_id, permit_number, status, record, created_at) \
         VALUES ($1, $2, $3, 'active', $4, $5)",
    )
    .bind(&h.id)
    .bind(&h.user_id)
    .bind(number.as_str())
    .bind(serde_json::to_string(&h)?)
    .bind(timestamp(h.created_at))
    .execute(&pool)
    .await?;
    pool.close().await;
    api.login(&user.username, PASSWORD).await
}
