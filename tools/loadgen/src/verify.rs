//! After the run: every acknowledged write against what the database holds.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use zhengka_store::prelude::*;

use anyhow::Context;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_store::{ApplicationFilter, AuditFilter, SqlStore, Store, StoreError};

use crate::client::{Ack, Api, Outcome};

/// Where the truth is read: the store itself (in-process server), or the
/// admin's read API of a running server.
pub enum Source {
    Store(Arc<SqlStore>),
    Http { api: Api, admin: String },
}

/// An application as stored.
pub struct Stored {
    pub id: String,
    pub employer_id: String,
    pub status: String,
    pub permit_number: Option<String>,
    pub passport: Option<String>,
}

/// A permit as stored.
pub struct StoredPermit {
    pub application_id: String,
    pub employer_id: String,
    pub status: String,
}

pub struct Chain {
    pub events: i64,
    pub broken_at: Option<i64>,
}

impl Source {
    async fn applications(&self) -> anyhow::Result<Vec<Stored>> {
        let mut all = vec![];
        match self {
            Source::Store(store) => {
                let mut filter = ApplicationFilter {
                    limit: 500,
                    ..ApplicationFilter::default()
                };
                loop {
                    let page = store.list_applications(&filter).await?;
                    all.extend(page.items.into_iter().map(|a| {
                        Stored {
                            id: a.id,
                            employer_id: a.employer_id,
                            status: a.status.as_str().to_owned(),
                            permit_number: a.permit_number.map(|p| p.as_str().to_owned()),
                            passport: a
                                .form
                                .foreigner
                                .map(|f| f.passport_number.expose().to_owned()),
                        }
                    }));
                    match page.next_cursor {
                        Some(c) => filter.after = Some(c),
                        None => break,
                    }
                }
            }
            Source::Http { api, admin } => {
                let mut cursor: Option<String> = None;
                loop {
                    let mut query = vec![("limit", "100")];
                    if let Some(c) = &cursor {
                        query.push(("cursor", c));
                    }
                    let r = api.get("/api/v1/applications", admin, &query).await?;
                    anyhow::ensure!(
                        r.status == 200,
                        "listing applications: {} {}",
                        r.status,
                        r.body
                    );
                    for a in r.body["items"].as_array().context("no items")? {
                        let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
                        all.push(Stored {
                            id: s(&a["id"]).unwrap_or_default(),
                            employer_id: s(&a["employer_id"]).unwrap_or_default(),
                            status: s(&a["status"]).unwrap_or_default(),
                            permit_number: s(&a["permit_number"]),
                            passport: s(&a["form"]["foreigner"]["passport_number"]),
                        });
                    }
                    cursor = r.body["next_cursor"].as_str().map(str::to_owned);
                    if cursor.is_none() {
                        break;
                    }
                }
            }
        }
        Ok(all)
    }

    async fn permit(&self, number: &str) -> anyhow::Result<Option<StoredPermit>> {
        match self {
            Source::Store(store) => {
                let number = PermitNumber::parse(number).map_err(|e| anyhow::anyhow!("{e:?}"))?;
                match store.get_permit(&number).await {
                    Ok(p) => Ok(Some(StoredPermit {
                        application_id: p.application_id,
                        employer_id: p.employer_id,
                        status: p.status.as_str().to_owned(),
                    })),
                    Err(StoreError::NotFound) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            }
            Source::Http { api, admin } => {
                let r = api
                    .get(&format!("/api/v1/permits/{number}"), admin, &[])
                    .await?;
                match r.status {
                    200 => Ok(Some(StoredPermit {
                        application_id: r.body["application_id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        employer_id: r.body["employer_id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        status: r.body["status"].as_str().unwrap_or_default().to_owned(),
                    })),
                    404 => Ok(None),
                    s => anyhow::bail!("GET permit {number}: {s} {}", r.body),
                }
            }
        }
    }

    /// Audit events about applications: how many per application id.
    async fn application_events(&self) -> anyhow::Result<HashMap<String, usize>> {
        let mut counts = HashMap::new();
        let mut after = 0;
        loop {
            let page: Vec<(i64, String)> = match self {
                Source::Store(store) => {
                    let f = AuditFilter {
                        entity_type: Some("application".into()),
                        after_seq: after,
                        limit: 1000,
                        ..AuditFilter::default()
                    };
                    store
                        .audit_events(&f)
                        .await?
                        .into_iter()
                        .map(|e| (e.seq, e.entity_id))
                        .collect()
                }
                Source::Http { api, admin } => {
                    let cursor = after.to_string();
                    let query = [
                        ("entity_type", "application"),
                        ("limit", "100"),
                        ("cursor", &cursor),
                    ];
                    let r = api.get("/api/v1/audit", admin, &query).await?;
                    anyhow::ensure!(r.status == 200, "listing audit: {} {}", r.status, r.body);
                    r.body["items"]
                        .as_array()
                        .context("no items")?
                        .iter()
                        .map(|e| {
                            (
                                e["seq"].as_i64().unwrap_or_default(),
                                e["entity_id"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                }
            };
            let Some(last) = page.last().map(|e| e.0) else {
                break;
            };
            after = last;
            for (_, id) in page {
                *counts.entry(id).or_default() += 1;
            }
        }
        Ok(counts)
    }

    async fn chain(&self) -> anyhow::Result<Chain> {
        match self {
            Source::Store(store) => {
                let r = store.verify_audit_chain().await?;
                Ok(Chain {
                    events: r.events,
                    broken_at: r.broken_at,
                })
            }
            Source::Http { api, admin } => {
                let r = api.get("/api/v1/audit/verify", admin, &[]).await?;
                anyhow::ensure!(r.status == 200, "audit verify: {} {}", r.status, r.body);
                Ok(Chain {
                    events: r.body["events"].as_i64().unwrap_or_default(),
                    broken_at: r.body["broken_at"].as_i64(),
                })
            }
        }
    }
}

/// One named check and what it found.
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub detail: String,
}

pub struct Verification {
    pub checks: Vec<Check>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }

    fn check(&mut self, name: &'static str, problems: &[String], fine: String) {
        let ok = problems.is_empty();
        let detail = if ok {
            fine
        } else {
            let mut d = format!("{} problem(s): ", problems.len());
            d.push_str(
                &problems
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            if problems.len() > 5 {
                d.push_str("; ...");
            }
            d
        };
        self.checks.push(Check { name, ok, detail });
    }
}

/// How many audited writes a status stands for: created, submitted, 3 decisions.
fn writes(status: &str) -> usize {
    match status {
        "draft" => 1,
        "submitted" => 2,
        "accepted" => 3,
        "preliminary_reviewed" => 4,
        "approved" => 5,
        _ => 0,
    }
}

/// Check the outcome of a run. `exclusive`: the database holds nothing else,
/// so every stored application must be one of ours.
pub async fn verify(
    source: &Source,
    out: &Outcome,
    employers: &[String],
    exclusive: bool,
) -> anyhow::Result<Verification> {
    let mut v = Verification { checks: vec![] };
    let ours: HashSet<&str> = employers.iter().map(String::as_str).collect();
    let all = source.applications().await?;
    let listed = all.len();
    let stored: Vec<Stored> = all
        .into_iter()
        .filter(|a| exclusive || ours.contains(a.employer_id.as_str()))
        .collect();

    // Every stored application listed once.
    let mut by_id: HashMap<&str, &Stored> = HashMap::new();
    let mut problems = vec![];
    for a in &stored {
        if by_id.insert(&a.id, a).is_some() {
            problems.push(format!("{} listed twice", a.id));
        }
    }
    v.check(
        "listing returns each application once",
        &problems,
        format!("{} listed", stored.len()),
    );

    // Every acknowledged application, with its acknowledged status.
    let acks: HashMap<&str, &Ack> = out.acks.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut problems = vec![];
    let mut uncertain = 0;
    for ack in &out.acks {
        match by_id.get(ack.id.as_str()) {
            None => problems.push(format!(
                "{} acknowledged as {} is missing",
                ack.id, ack.status
            )),
            Some(s) if s.passport.as_deref() != Some(ack.passport.as_str()) => {
                problems.push(format!("{} stored with another passport number", ack.id))
            }
            Some(s) if s.status == ack.status => {}
            Some(s) if Some(s.status.as_str()) == ack.pending => uncertain += 1,
            Some(s) => problems.push(format!(
                "{} acknowledged {} but stored {}",
                ack.id, ack.status, s.status
            )),
        }
    }
    if acks.len() != out.acks.len() {
        let n = out.acks.len() - acks.len();
        problems.push(format!(
            "{n} application id(s) acknowledged for two different creates"
        ));
    }
    v.check(
        "acknowledged applications stored with acknowledged status",
        &problems,
        format!(
            "{} acknowledged, all present ({uncertain} took an unanswered write)",
            out.acks.len()
        ),
    );

    // No application that was not acknowledged; no duplicates from retries.
    let mut problems: Vec<String> = stored
        .iter()
        .filter(|a| !acks.contains_key(a.id.as_str()))
        .map(|a| format!("{} ({}) was never acknowledged", a.id, a.status))
        .collect();
    if stored.len() != out.acks.len() {
        problems.push(format!(
            "{} stored vs {} acknowledged",
            stored.len(),
            out.acks.len()
        ));
    }
    v.check(
        "no unacknowledged application (count match)",
        &problems,
        format!(
            "{} stored = {} acknowledged ({listed} in the whole listing)",
            stored.len(),
            out.acks.len()
        ),
    );
    let mut passports: HashMap<&str, usize> = HashMap::new();
    for a in &stored {
        if let Some(p) = &a.passport {
            *passports.entry(p).or_default() += 1;
        }
    }
    let mut problems: Vec<String> = passports
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(p, n)| format!("passport {p} filed {n} times"))
        .collect();
    problems.extend(out.replay_mismatches.iter().cloned());
    v.check(
        "idempotent retries: same id, no duplicate",
        &problems,
        format!("{} retried creates, each one application", out.replays),
    );

    // Every approval has its permit.
    let mut problems = vec![];
    let mut permits = 0;
    for ack in out.acks.iter().filter(|a| a.status == "approved") {
        let Some(number) = &ack.permit_number else {
            problems.push(format!(
                "{} approved without a permit number in the answer",
                ack.id
            ));
            continue;
        };
        let stored_number = by_id.get(ack.id.as_str()).map(|s| &s.permit_number);
        if stored_number.is_some_and(|n| n.as_deref() != Some(number)) {
            problems.push(format!(
                "{} stored permit number {:?}, acknowledged {number}",
                ack.id,
                stored_number.cloned().flatten()
            ));
        }
        match source.permit(number).await? {
            None => problems.push(format!("permit {number} of {} is missing", ack.id)),
            Some(p) if p.application_id != ack.id => problems.push(format!(
                "permit {number} belongs to {}, not {}",
                p.application_id, ack.id
            )),
            Some(p) if p.status != "valid" || !ours.contains(p.employer_id.as_str()) => problems
                .push(format!(
                    "permit {number}: status {} employer {}",
                    p.status, p.employer_id
                )),
            Some(_) => permits += 1,
        }
    }
    v.check(
        "every approval has its permit",
        &problems,
        format!("{permits} permits found"),
    );

    // One audit event per acknowledged write, none for a replay.
    let events = source.application_events().await?;
    let mut problems = vec![];
    for ack in &out.acks {
        let found = events.get(&ack.id).copied().unwrap_or(0);
        let expected = writes(&ack.status);
        let alternative = ack.pending.map_or(expected, writes);
        if found != expected && found != alternative {
            problems.push(format!(
                "{}: {found} audit events for {expected} writes",
                ack.id
            ));
        }
    }
    if exclusive {
        problems.extend(
            events
                .keys()
                .filter(|id| !acks.contains_key(id.as_str()))
                .map(|id| format!("audit events for unacknowledged application {id}")),
        );
    }
    let total: usize = out
        .acks
        .iter()
        .map(|a| events.get(&a.id).copied().unwrap_or(0))
        .sum();
    v.check(
        "one audit event per acknowledged write",
        &problems,
        format!("{total} application events"),
    );

    let chain = source.chain().await?;
    let problems: Vec<String> = chain
        .broken_at
        .iter()
        .map(|s| format!("chain broken at seq {s}"))
        .collect();
    v.check(
        "audit chain intact",
        &problems,
        format!("{} events verified", chain.events),
    );

    let stray: BTreeMap<&str, usize> =
        out.unanswered_creates
            .iter()
            .fold(BTreeMap::new(), |mut m, p| {
                *m.entry(p.as_str()).or_default() += 1;
                m
            });
    let problems: Vec<String> = stray
        .keys()
        .map(|p| format!("create for passport {p} never answered"))
        .collect();
    v.check("every create answered", &problems, "all answered".into());
    Ok(v)
}
