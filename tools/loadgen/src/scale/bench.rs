//! The figures over the seeded database, each next to the baseline of the
//! same run: `GET /healthz` (one `SELECT 1`) at the same concurrency.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;
use zhengka_server::AppState;
use zhengka_server::jobs::sweep_reminders;
use zhengka_store::StatusListId;

use super::seed::Seeded;
use crate::client::Api;

pub struct Env {
    pub backend: String,
    pub api: Api,
    pub app: AppState,
    pub police: String,
    pub holder: String,
    pub qr: String,
    pub clients: usize,
    pub seconds: u64,
    pub parts: Vec<Part>,
}

/// The parts of a run, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// The three status lists built and signed, and list 1 over HTTP.
    Lists,
    /// healthz, the e-card read and the verification under load.
    Requests,
    /// The reminder sweep, twice.
    Sweep,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Lists, Part::Requests, Part::Sweep];
}

/// Latencies of one request type, and its rate.
struct Timed {
    samples: Vec<Duration>,
    elapsed: Duration,
    errors: u64,
}

impl Timed {
    fn per_s(&self) -> f64 {
        self.samples.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn pct(&self, p: f64) -> f64 {
        let mut s = self.samples.clone();
        s.sort();
        if s.is_empty() {
            return 0.0;
        }
        let rank = ((p / 100.0) * s.len() as f64).ceil() as usize;
        s[rank.clamp(1, s.len()) - 1].as_secs_f64() * 1000.0
    }
}

#[derive(Clone, Copy, Debug)]
enum Request {
    Healthz,
    Ecard,
    Verify,
}

async fn one(env: &Env, r: Request) -> bool {
    let reply = match r {
        Request::Healthz => env.api.get("/healthz", "", &[]).await,
        Request::Ecard => env.api.get("/api/v1/ecard", &env.holder, &[]).await,
        Request::Verify => {
            let body = json!({ "qr": env.qr, "purpose": "notice" });
            env.api
                .send(
                    Method::POST,
                    "/api/v1/verifications",
                    &env.police,
                    Some(&body),
                    None,
                )
                .await
        }
    };
    match reply {
        Ok(reply) if reply.status == 200 => match r {
            Request::Verify => reply.body["valid"] == true,
            _ => true,
        },
        _ => false,
    }
}

/// `clients` loops of `r` for the run's seconds, after one untimed request
/// (a running server has its status lists built already).
async fn load(env: &Env, r: Request) -> Timed {
    one(env, r).await;
    eprintln!("{r:?}: {} clients for {} s", env.clients, env.seconds);
    let deadline = Instant::now() + Duration::from_secs(env.seconds);
    let started = Instant::now();
    let runs = (0..env.clients).map(|_| async move {
        let mut samples = vec![];
        let mut errors = 0;
        while Instant::now() < deadline {
            let t = Instant::now();
            if one(env, r).await {
                samples.push(t.elapsed());
            } else {
                errors += 1;
            }
        }
        (samples, errors)
    });
    let mut all = Timed {
        samples: vec![],
        elapsed: Duration::ZERO,
        errors: 0,
    };
    for (s, e) in futures_util::future::join_all(runs).await {
        all.samples.extend(s);
        all.errors += e;
    }
    all.elapsed = started.elapsed();
    all
}

/// Resident set now and its peak since the last reset, in KiB (Linux).
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Reset the peak resident set to the current one (Linux 4.0+).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

pub async fn run(env: &Env, seeded: &Seeded) -> anyhow::Result<()> {
    println!(
        "\n## {} with {} holders (seeded in {:.0} s)\n",
        env.backend, seeded.holders, seeded.seconds
    );
    println!(
        "status entries {} (not valid {}), devices {}, notifications {}\n",
        seeded.status_entries, seeded.not_valid_entries, seeded.devices, seeded.notifications
    );
    for part in &env.parts {
        match part {
            Part::Lists => lists(env).await?,
            Part::Requests => requests(env).await,
            Part::Sweep => sweep(env).await?,
        }
    }
    Ok(())
}

async fn lists(env: &Env) -> anyhow::Result<()> {
    let store = env.app.store.as_ref();
    let creds = &env.app.credentials;
    let now = chrono::Utc::now();
    println!(
        "| status list | entries in list | entries read | build + sign | token bytes | peak RSS above start |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (list, uri) in [
        (StatusListId::Permits, creds.status_uri()),
        (StatusListId::Devices, creds.device_status_uri()),
        (StatusListId::Cards, creds.card_status_uri()),
    ] {
        for round in 0..2 {
            reset_peak();
            let (rss0, _) = memory();
            let t = Instant::now();
            let token = creds
                .build_list(store, list, uri.clone(), now.timestamp())
                .await?;
            let took = t.elapsed();
            let (_, peak) = memory();
            let mut read = 0u64;
            store.for_each_status(list, &mut |_, _| read += 1).await?;
            let size = zhengka_credential::list_entries(store.status_index_max(list).await?);
            if round == 1 {
                println!(
                    "| {list:?} | {size} | {read} | {:.1} ms | {} | {} KiB |",
                    took.as_secs_f64() * 1000.0,
                    token.len(),
                    peak.saturating_sub(rss0)
                );
            }
        }
    }
    // Through HTTP, after a change: the rebuilt list 1 as a verifier fetches it.
    creds.invalidate_status_list();
    let t = Instant::now();
    let r = env.api.get("/api/v1/status-lists/1", "", &[]).await?;
    println!(
        "\nGET /api/v1/status-lists/1 after a change: {} in {:.1} ms\n",
        r.status,
        t.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

async fn requests(env: &Env) {
    let base = load(env, Request::Healthz).await;
    let ecard = load(env, Request::Ecard).await;
    let verify = load(env, Request::Verify).await;
    println!(
        "| request ({} clients, {} s) | n | errors | p50 ms | p99 ms | req/s | ÷ healthz req/s |",
        env.clients, env.seconds
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, t) in [
        ("GET /healthz (baseline)", &base),
        ("GET /api/v1/ecard (holder)", &ecard),
        ("POST /api/v1/verifications (notice, police)", &verify),
    ] {
        println!(
            "| {name} | {} | {} | {:.2} | {:.2} | {:.0} | {:.3} |",
            t.samples.len(),
            t.errors,
            t.pct(50.0),
            t.pct(99.0),
            t.per_s(),
            t.per_s() / base.per_s()
        );
    }
}

async fn sweep(env: &Env) -> anyhow::Result<()> {
    let store = env.app.store.as_ref();
    let now = chrono::Utc::now();
    println!("\n| reminder sweep | holders read | notifications created | seconds |");
    println!("|---|---:|---:|---:|");
    for name in ["today (first run)", "again (nothing new)"] {
        let t = Instant::now();
        let swept = sweep_reminders(store, now).await?;
        println!(
            "| {name} | {} | {} | {:.1} |",
            swept.holders,
            swept.created,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
