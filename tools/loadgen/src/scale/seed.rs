//! Bulk rows for the 10-million-holder runs, written straight into the
//! tables (not through the API): permits (sealed with the store key, as the
//! store writes them), their status entries (some permits with an earlier,
//! superseded period), `foreigner` users, e-card holders, their devices, and
//! the notifications the sweeps before today would have made. SQLite gets
//! multi-row INSERTs in large transactions, PostgreSQL `COPY ... FROM STDIN`.

use std::time::Instant;

use anyhow::Context;
use chrono::{Days, NaiveDate, Utc};
use sqlx::{Any, AnyPool, Connection, PgConnection};
use zhengka_domain::ecard::reminders::due_reminders;
use zhengka_domain::permits::application::PassportNumber;
use zhengka_domain::permits::permit::{Permit, PermitNumber, PermitStatus};
use zhengka_store::Vault;

/// Rows per statement (SQLite) or COPY batch (PostgreSQL).
const BATCH: usize = 500;
/// Holders per transaction.
const TX_ROWS: usize = 20_000;
/// A prime, so `i * STRIDE mod size` visits every index once (size = k * 2^17,
/// k below this prime).
const STRIDE: u64 = 2_654_435_761;

/// One column value.
#[derive(Clone)]
pub enum Val {
    Text(String),
    Int(i64),
    Bytes(Vec<u8>),
    Null,
}

/// The rows of one table for one transaction.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Val>>,
}

/// What was written.
#[derive(Debug, Default, Clone, Copy)]
pub struct Seeded {
    pub holders: u64,
    pub status_entries: u64,
    pub not_valid_entries: u64,
    pub devices: u64,
    pub notifications: u64,
    pub seconds: f64,
}

/// Where the rows go.
pub enum Sink {
    Sqlite(AnyPool),
    Postgres(PgConnection),
}

impl Sink {
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres") {
            Ok(Sink::Postgres(PgConnection::connect(url).await?))
        } else {
            sqlx::any::install_default_drivers();
            let pool = sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        use sqlx::Executor;
                        conn.execute("PRAGMA busy_timeout = 60000; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000;")
                            .await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?;
            Ok(Sink::Sqlite(pool))
        }
    }

    async fn write(&mut self, tables: &[Table]) -> anyhow::Result<()> {
        match self {
            Sink::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                for t in tables {
                    for chunk in t.rows.chunks(BATCH) {
                        insert(&mut tx, t, chunk).await?;
                    }
                }
                tx.commit().await?;
            }
            Sink::Postgres(conn) => {
                let mut tx = conn.begin().await?;
                for t in tables {
                    let sql = format!("COPY {} ({}) FROM STDIN", t.name, t.columns.join(", "));
                    let mut copy = tx.copy_in_raw(&sql).await?;
                    let mut buf = String::new();
                    for row in &t.rows {
                        copy_line(&mut buf, row);
                        if buf.len() > 1 << 20 {
                            copy.send(std::mem::take(&mut buf).into_bytes()).await?;
                        }
                    }
                    copy.send(buf.into_bytes()).await?;
                    copy.finish().await?;
                }
                tx.commit().await?;
            }
        }
        Ok(())
    }

    pub async fn close(self) {
        match self {
            Sink::Sqlite(pool) => pool.close().await,
            Sink::Postgres(conn) => {
                conn.close().await.ok();
            }
        }
    }
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, Any>,
    t: &Table,
    rows: &[Vec<Val>],
) -> anyhow::Result<()> {
    let width = t.columns.len();
    let groups: Vec<String> = (0..rows.len())
        .map(|r| {
            let marks: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        t.name,
        t.columns.join(", "),
        groups.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for row in rows {
        for v in row {
            q = match v {
                Val::Text(s) => q.bind(s.clone()),
                Val::Int(i) => q.bind(*i),
                Val::Bytes(b) => q.bind(b.clone()),
                Val::Null => q.bind(Option::<String>::None),
            };
        }
    }
    q.execute(&mut **tx)
        .await
        .with_context(|| format!("insert into {}", t.name))?;
    Ok(())
}

/// One line of COPY's text format.
fn copy_line(buf: &mut String, row: &[Val]) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            buf.push('\t');
        }
        match v {
            Val::Text(s) => {
                for c in s.chars() {
                    match c {
                        '\\' => buf.push_str("\\\\"),
                        '\t' => buf.push_str("\\t"),
                        '\n' => buf.push_str("\\n"),
                        '\r' => buf.push_str("\\r"),
                        c => buf.push(c),
                    }
                }
            }
            Val::Int(n) => buf.push_str(&n.to_string()),
            Val::Bytes(b) => {
                buf.push_str("\\\\x");
                for byte in b {
                    buf.push_str(&format!("{byte:02x}"));
                }
            }
            Val::Null => buf.push_str("\\N"),
        }
    }
    buf.push('\n');
}

/// How the seeded population looks: one permit, holder and device per
/// person; 1 in 100 permits suspended, 1 in 100 cancelled; 1 in 50 with an
/// earlier period (its entry revoked); ends spread over the next 3 years.
pub struct Plan {
    pub holders: u64,
    pub devices: bool,
    /// The real permit the rows are made like (its employer, form, dates).
    pub template: Permit,
    pub employer_id: String,
    /// The same key as the server's store.
    pub vault: Vault,
    pub today: NaiveDate,
}

impl Plan {
    /// Entries of list 1 (current and earlier periods).
    fn entries(&self) -> u64 {
        self.holders + self.holders / 50 + 1
    }

    /// Index `n` of a list with `count` entries at about 2/3 density: a
    /// permutation, so no two rows share one; the one that would hit the
    /// real permit's index (`taken`) moves just past the list's size.
    fn index(count: u64, n: u64, taken: Option<u32>) -> i64 {
        let size = zhengka_credential::list_entries(Some((count + count / 2) as u32)) as u64;
        let idx = (n * STRIDE + 7) % size;
        if Some(idx) == taken.map(u64::from) {
            return size as i64;
        }
        idx as i64
    }
}

/// Write the plan's rows, `TX_ROWS` holders per transaction.
pub async fn seed(plan: &Plan, sink: &mut Sink) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let mut done = Seeded::default();
    let now = crate::scale::timestamp(Utc::now());
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2VlZGVkLW5vLWxvZ2lu$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let yesterday = plan.today - Days::new(1);
    let mut from = 0;
    while from < plan.holders {
        let to = (from + TX_ROWS as u64).min(plan.holders);
        let mut permits = Table {
            name: "permits",
            columns: &[
                "permit_number",
                "employer_id",
                "region_code",
                "passport_hmac",
                "status",
                "valid_to",
                "record_enc",
                "version",
                "updated_at",
                "status_index",
                "name_hmac",
                "onsite_state",
                "onsite_due_on",
            ],
            rows: vec![],
        };
        let mut entries = Table {
            name: "status_entries",
            columns: &["idx", "permit_number", "created_at", "state"],
            rows: vec![],
        };
        let mut users = Table {
            name: "users",
            columns: &["id", "username", "password_hash", "role", "created_at"],
            rows: vec![],
        };
        let mut holders = Table {
            name: "ecard_holders",
            columns: &[
                "id",
                "user_id",
                "permit_number",
                "status",
                "record",
                "created_at",
            ],
            rows: vec![],
        };
        let mut devices = Table {
            name: "ecard_devices",
            columns: &[
                "id",
                "holder_id",
                "name",
                "public_key",
                "status_index",
                "credential_status",
                "created_at",
            ],
            rows: vec![],
        };
        let mut notes = Table {
            name: "ecard_notifications",
            columns: &[
                "id",
                "holder_id",
                "kind",
                "subject",
                "due_on",
                "payload",
                "created_at",
            ],
            rows: vec![],
        };
        for i in from..to {
            let p = permit(plan, i)?;
            let number = p.permit_number.as_str().to_owned();
            let sealed = plan
                .vault
                .seal(&format!("permits:{number}"), &serde_json::to_vec(&p)?)?;
            let idx = Plan::index(plan.entries(), i, plan.template.status_index);
            let current_valid = p.status == PermitStatus::Valid;
            permits.rows.push(vec![
                Val::Text(number.clone()),
                Val::Text(plan.employer_id.clone()),
                Val::Text(p.region_code.as_str().to_owned()),
                Val::Text(plan.vault.index("passport", p.passport_number.expose())),
                Val::Text(p.status.as_str().to_owned()),
                Val::Text(p.valid_to.to_string()),
                Val::Bytes(sealed),
                Val::Int(p.version),
                Val::Text(now.clone()),
                Val::Int(idx),
                Val::Null,
                Val::Text("not_required".into()),
                Val::Null,
            ]);
            let state = if current_valid { "valid" } else { "other" };
            entries.rows.push(vec![
                Val::Int(idx),
                Val::Text(number.clone()),
                Val::Text(now.clone()),
                Val::Text(state.into()),
            ]);
            done.status_entries += 1;
            done.not_valid_entries += u64::from(!current_valid);
            if i % 50 == 2 {
                // An earlier period of the same permit: revoked.
                let old = Plan::index(
                    plan.entries(),
                    plan.holders + 1 + i / 50,
                    plan.template.status_index,
                );
                entries.rows.push(vec![
                    Val::Int(old),
                    Val::Text(number.clone()),
                    Val::Text(now.clone()),
                    Val::Text("other".into()),
                ]);
                done.status_entries += 1;
                done.not_valid_entries += 1;
            }
            let user_id = format!("u-seed-{i}");
            users.rows.push(vec![
                Val::Text(user_id.clone()),
                Val::Text(number.to_ascii_lowercase()),
                Val::Text(hash.into()),
                Val::Text("foreigner".into()),
                Val::Text(now.clone()),
            ]);
            let holder = crate::scale::holder(&format!("h-seed-{i}"), &user_id, &p.permit_number);
            holders.rows.push(vec![
                Val::Text(holder.id.clone()),
                Val::Text(user_id),
                Val::Text(number.clone()),
                Val::Text("active".into()),
                Val::Text(serde_json::to_string(&holder)?),
                Val::Text(now.clone()),
            ]);
            if plan.devices {
                let credential = match p.status {
                    PermitStatus::Valid => "valid",
                    PermitStatus::Suspended => "suspended",
                    _ => "revoked",
                };
                devices.rows.push(vec![
                    Val::Text(format!("d-seed-{i}")),
                    Val::Text(holder.id.clone()),
                    Val::Text("phone".into()),
                    Val::Bytes(vec![0xa5; 77]),
                    Val::Int(Plan::index(plan.holders + 1, i, None)),
                    Val::Text(credential.into()),
                    Val::Text(now.clone()),
                ]);
                done.devices += 1;
            }
            // What the sweeps up to yesterday made (the state of a running
            // system), so today's sweep writes only what falls due today.
            for r in due_reminders(&p, yesterday) {
                notes.rows.push(vec![
                    Val::Text(format!("n-seed-{i}-{}", r.kind.as_str())),
                    Val::Text(holder.id.clone()),
                    Val::Text(r.kind.as_str().into()),
                    Val::Text(r.subject.clone()),
                    Val::Text(r.due_on.to_string()),
                    Val::Text(serde_json::to_string(&r.facts)?),
                    Val::Text(now.clone()),
                ]);
                done.notifications += 1;
            }
        }
        sink.write(&[permits, entries, users, holders, devices, notes])
            .await?;
        done.holders = to;
        from = to;
        if to % 500_000 < TX_ROWS as u64 || to == plan.holders {
            eprintln!(
                "seeded {to} holders in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    done.seconds = started.elapsed().as_secs_f64();
    Ok(done)
}

/// Person `i`'s permit, made like the template.
fn permit(plan: &Plan, i: u64) -> anyhow::Result<Permit> {
    let mut p = plan.template.clone();
    p.permit_number = PermitNumber::assign("440106", 9_000_000_000_000 + i);
    p.passport_number = PassportNumber::parse(&format!("S{:09}", i))
        .map_err(|e| anyhow::anyhow!("passport: {e:?}"))?;
    p.valid_to = plan.today + Days::new(1 + (i * 7919) % 1095);
    p.status = match i % 100 {
        0 => PermitStatus::Suspended,
        1 => PermitStatus::Cancelled,
        _ => PermitStatus::Valid,
    };
    p.onsite = zhengka_domain::permits::permit::OnsiteCheck::NotRequired;
    p.status_index = Some(Plan::index(plan.entries(), i, plan.template.status_index) as u32);
    p.application_id = format!("a-seed-{i}");
    p.version = 1;
    Ok(p)
}
