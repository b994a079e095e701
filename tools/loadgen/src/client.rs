//! HTTP clients: the baseline (`GET /healthz`) and the workflow loop.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::cli::RETRY_EVERY;

/// A thin JSON client for one server.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    pub base: String,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("-")
    }
}

impl Api {
    pub fn new(base: &str, pool: usize) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(pool)
            .timeout(Duration::from_secs(30))
            .no_proxy()
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> reqwest::Result<Reply> {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        self.finish(req).await
    }

    pub async fn get(
        &self,
        path: &str,
        token: &str,
        query: &[(&str, &str)],
    ) -> reqwest::Result<Reply> {
        let req = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .query(query);
        self.finish(req).await
    }

    async fn finish(&self, req: reqwest::RequestBuilder) -> reqwest::Result<Reply> {
        let res = req.send().await?;
        let status = res.status().as_u16();
        let replayed = res.headers().contains_key("idempotent-replayed");
        let text = res.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply {
            status,
            body,
            replayed,
        })
    }

    /// `POST` that must answer `expect`; the body on success.
    pub async fn expect(
        &self,
        path: &str,
        token: &str,
        body: &Value,
        expect: u16,
    ) -> anyhow::Result<Value> {
        let r = self
            .send(Method::POST, path, token, Some(body), None)
            .await
            .with_context(|| format!("POST {path}"))?;
        anyhow::ensure!(r.status == expect, "POST {path}: {} {}", r.status, r.body);
        Ok(r.body)
    }

    pub async fn login(&self, username: &str, password: &str) -> anyhow::Result<String> {
        let body = json!({ "username": username, "password": password });
        let r = self.expect("/api/v1/sessions", "", &body, 201).await?;
        r["token"]
            .as_str()
            .map(str::to_owned)
            .context("session without token")
    }
}

/// Latencies by request type.
pub type Latencies = BTreeMap<&'static str, Vec<Duration>>;

/// What one agent may use: its token, shared by the clients of its employer.
#[derive(Clone)]
pub struct Actors {
    pub agents: Vec<String>,
    /// Accepts and reviews.
    pub officer: String,
    /// Approves (not the officer who accepted).
    pub approver: String,
    pub run_tag: u32,
}

/// One acknowledged application: the last state the server confirmed.
#[derive(Debug, Clone)]
pub struct Ack {
    pub id: String,
    pub passport: String,
    pub status: String,
    pub permit_number: Option<String>,
    /// The status a write that got no answer (timeout, 5xx) may have produced.
    pub pending: Option<&'static str>,
}

#[derive(Default)]
pub struct Outcome {
    pub elapsed: Duration,
    pub latencies: Latencies,
    /// Complete workflows: filed, submitted, accepted, reviewed, approved.
    pub workflows: u64,
    /// Acknowledged writes (each one transaction with its audit event): first
    /// answers to creates, and steps; replays are not writes.
    pub writes: u64,
    /// Workflows cut short by the deadline.
    pub cut_short: u64,
    pub acks: Vec<Ack>,
    /// Creates whose answer never came (after retries): their passports.
    pub unanswered_creates: Vec<String>,
    /// Idempotent replays sent, and those that did not give the first answer back.
    pub replays: u64,
    pub replay_mismatches: Vec<String>,
    /// Unexpected answers, by "request: status code".
    pub errors: BTreeMap<String, u64>,
    /// Refusals the API documents for what the harness does (and retries).
    pub expected: BTreeMap<String, u64>,
}

impl Outcome {
    pub fn requests(&self) -> usize {
        self.latencies.values().map(Vec::len).sum()
    }

    pub fn merge(&mut self, other: Outcome) {
        for (k, v) in other.latencies {
            self.latencies.entry(k).or_default().extend(v);
        }
        self.workflows += other.workflows;
        self.writes += other.writes;
        self.cut_short += other.cut_short;
        self.acks.extend(other.acks);
        self.unanswered_creates.extend(other.unanswered_creates);
        self.replays += other.replays;
        self.replay_mismatches.extend(other.replay_mismatches);
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for (k, v) in other.expected {
            *self.expected.entry(k).or_default() += v;
        }
    }

    pub fn error(&mut self, what: &str, detail: impl std::fmt::Display) {
        *self.errors.entry(format!("{what}: {detail}")).or_default() += 1;
    }

    pub fn timed(&mut self, kind: &'static str, started: Instant) {
        self.latencies
            .entry(kind)
            .or_default()
            .push(started.elapsed());
    }
}

/// `GET /healthz` from `clients` tasks for `duration`: requests per second.
pub async fn baseline(api: &Api, clients: usize, duration: Duration) -> Outcome {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move {
                let mut out = Outcome::default();
                while Instant::now() < deadline {
                    let t = Instant::now();
                    let r = api.send(Method::GET, "/healthz", "", None, None).await;
                    out.timed("GET /healthz", t);
                    match r {
                        Ok(r) if r.status == 200 => {}
                        Ok(r) => out.error("healthz", r.status),
                        Err(e) => out.error("healthz", transport(&e)),
                    }
                }
                out
            })
        })
        .collect();
    collect(tasks, started).await
}

/// Run the workflow loop from `clients` tasks until `duration` has passed.
pub async fn workload(api: &Api, actors: &Actors, clients: usize, duration: Duration) -> Outcome {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|n| {
            let client = Client {
                api: api.clone(),
                agent: actors.agents[n % actors.agents.len()].clone(),
                officer: actors.officer.clone(),
                approver: actors.approver.clone(),
                tag: actors.run_tag,
                n,
                deadline,
                out: Outcome::default(),
            };
            tokio::spawn(client.run())
        })
        .collect();
    collect(tasks, started).await
}

async fn collect(tasks: Vec<tokio::task::JoinHandle<Outcome>>, started: Instant) -> Outcome {
    let mut all = Outcome::default();
    for t in tasks {
        match t.await {
            Ok(o) => all.merge(o),
            Err(e) => all.error("client task", e),
        }
    }
    all.elapsed = started.elapsed();
    all
}

fn transport(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect error"
    } else {
        "transport error"
    }
}

/// The review after submission, in order, with the status each one leads to.
const STEPS: [(&str, &str, &str); 4] = [
    ("submit", "POST submit", "submitted"),
    ("accept", "POST decision accept", "accepted"),
    (
        "preliminary_review",
        "POST decision preliminary_review",
        "preliminary_reviewed",
    ),
    ("approve", "POST decision approve", "approved"),
];

struct Client {
    api: Api,
    agent: String,
    officer: String,
    approver: String,
    tag: u32,
    n: usize,
    deadline: Instant,
    out: Outcome,
}

impl Client {
    async fn run(mut self) -> Outcome {
        let mut seq: u64 = 0;
        while Instant::now() < self.deadline {
            seq += 1;
            self.workflow(seq).await;
        }
        self.out
    }

    async fn workflow(&mut self, seq: u64) {
        // Unique per run, client and application: LG + 6 + 3 + 6 characters.
        let passport = format!("LG{:06}{:03}{seq:06}", self.tag, self.n);
        let key = format!("lg-{}-{}-{seq}", self.tag, self.n);
        let form = new_from_abroad(&passport);
        // Every RETRY_EVERY-th create is sent twice: alternately one after the
        // other (a client retrying after a lost answer) and both at once.
        let retry = seq % RETRY_EVERY == self.n as u64 % RETRY_EVERY;
        let concurrent = retry && (seq / RETRY_EVERY) % 2 == 1;
        let created = if concurrent {
            self.concurrent_pair(&form, &key, &passport).await
        } else {
            self.create(&form, &key, "POST applications").await
        };
        let Some(first) = created else {
            self.out.unanswered_creates.push(passport);
            return;
        };
        let id = first["id"].as_str().unwrap_or_default().to_owned();
        if retry && !concurrent {
            self.out.replays += 1;
            let t = Instant::now();
            let r = self
                .api
                .send(
                    Method::POST,
                    "/api/v1/applications",
                    &self.agent,
                    Some(&form),
                    Some(&key),
                )
                .await;
            self.out.timed("POST applications (replay)", t);
            match r {
                Ok(r) if r.status == 201 && r.body == first && r.replayed => {}
                Ok(r) => self.out.replay_mismatches.push(format!(
                    "{id}: replay answered {} (replayed header: {}) with id {}",
                    r.status, r.replayed, r.body["id"]
                )),
                Err(e) => self.out.error("replay", transport(&e)),
            }
        }
        let mut ack = Ack {
            id: id.clone(),
            passport,
            status: "draft".into(),
            permit_number: None,
            pending: None,
        };
        let mut complete = true;
        for (step, kind, to) in STEPS {
            if Instant::now() >= self.deadline {
                self.out.cut_short += 1;
                complete = false;
                break;
            }
            let (path, token, body) = if step == "submit" {
                (
                    format!("/api/v1/applications/{id}/submit"),
                    &self.agent,
                    json!(null),
                )
            } else {
                (
                    format!("/api/v1/applications/{id}/decisions"),
                    if step == "approve" {
                        &self.approver
                    } else {
                        &self.officer
                    },
                    json!({ "step": step, "outcome": "pass" }),
                )
            };
            let t = Instant::now();
            let r = self
                .api
                .send(Method::POST, &path, token, Some(&body), None)
                .await;
            self.out.timed(kind, t);
            match r {
                Ok(r) if r.status == 200 => {
                    self.out.writes += 1;
                    ack.status = r.body["status"].as_str().unwrap_or("?").to_owned();
                    ack.permit_number = r.body["permit_number"].as_str().map(str::to_owned);
                    if ack.status != to {
                        self.out
                            .error(kind, format!("200 but status {}", ack.status));
                        complete = false;
                        break;
                    }
                }
                Ok(r) => {
                    if r.status >= 500 {
                        ack.pending = Some(to);
                    }
                    self.out.error(kind, format!("{} {}", r.status, r.code()));
                    complete = false;
                    break;
                }
                Err(e) => {
                    ack.pending = Some(to);
                    self.out.error(kind, transport(&e));
                    complete = false;
                    break;
                }
            }
        }
        if complete {
            self.out.workflows += 1;
        }
        self.out.acks.push(ack);
    }

    /// Create with the key, retrying on no answer, 5xx or 409 (a concurrent
    /// request with the same key still in flight) until an answer is final.
    async fn create(&mut self, form: &Value, key: &str, kind: &'static str) -> Option<Value> {
        for attempt in 0..4 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
            }
            let t = Instant::now();
            let r = self
                .api
                .send(
                    Method::POST,
                    "/api/v1/applications",
                    &self.agent,
                    Some(form),
                    Some(key),
                )
                .await;
            self.out.timed(
                if attempt == 0 {
                    kind
                } else {
                    "POST applications (retry)"
                },
                t,
            );
            match r {
                Ok(r) if r.status == 201 => {
                    if !r.replayed {
                        self.out.writes += 1;
                    }
                    return Some(r.body);
                }
                // The other request of a concurrent pair still holds the key:
                // the documented answer, to be retried.
                Ok(r) if r.status == 409 && r.code() == "idempotency_key_in_use" => {
                    let what = format!("{kind}: 409 idempotency_key_in_use, retried");
                    *self.out.expected.entry(what).or_default() += 1;
                }
                Ok(r) if r.status == 409 || r.status >= 500 => {
                    self.out
                        .error(kind, format!("{} {} (retried)", r.status, r.code()));
                }
                Ok(r) => {
                    self.out.error(kind, format!("{} {}", r.status, r.code()));
                    return None;
                }
                Err(e) => self.out.error(kind, format!("{} (retried)", transport(&e))),
            }
        }
        None
    }

    /// The same create twice at once: both must end with the same application.
    async fn concurrent_pair(&mut self, form: &Value, key: &str, passport: &str) -> Option<Value> {
        self.out.replays += 1;
        let mut twin = Client {
            api: self.api.clone(),
            agent: self.agent.clone(),
            officer: String::new(),
            approver: String::new(),
            tag: self.tag,
            n: self.n,
            deadline: self.deadline,
            out: Outcome::default(),
        };
        let (a, b) = tokio::join!(
            self.create(form, key, "POST applications (concurrent pair)"),
            twin.create(form, key, "POST applications (concurrent pair)")
        );
        self.out.merge(twin.out);
        match (a, b) {
            (Some(a), Some(b)) if a["id"] == b["id"] => Some(a),
            (Some(a), Some(b)) => {
                self.out.replay_mismatches.push(format!(
                    "{passport}: concurrent pair created two applications {} and {}",
                    a["id"], b["id"]
                ));
                Some(a)
            }
            (a, b) => a.or(b),
        }
    }
}

/// The README's first form: a new work permit for someone still abroad.
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
