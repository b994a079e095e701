//! The audit trail: append-only, hash-chained, written in the same transaction
//! as the change it records. `verify` walks the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use zhengka_domain::events::DomainEvent;

use crate::vault::hex;
use crate::{Backend, SqlStore, StoreError};

/// What a write says about itself. `details` must carry no personal numbers.
#[derive(Debug, Clone)]
pub struct Audit {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Events with `seq` greater than this (the cursor, oldest first).
    pub after_seq: i64,
    /// Events with `seq` less than this (the cursor, newest first).
    pub before_seq: Option<i64>,
    /// Newest first: what a reviewer of the trail looks for.
    pub newest_first: bool,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: i64,
    /// The first event that is missing, or whose hash or link does not match.
    pub broken_at: Option<i64>,
    /// Why the chain fails, for the operator; `None` when it verifies.
    pub reason: Option<String>,
}

impl ChainReport {
    fn broken(events: i64, at: i64, reason: String) -> Self {
        Self {
            events,
            broken_at: Some(at),
            reason: Some(reason),
        }
    }
}

/// An event's hash: every part (`prev`, `seq`, `at`, then the fields) as its
/// length in bytes (u64, big-endian) and its UTF-8 bytes.
fn chain_hash(prev: &str, seq: i64, at: &str, fields: [&str; 5]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let seq = seq.to_string();
    for part in [prev, seq.as_str(), at].into_iter().chain(fields) {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    hex(ctx.finish().as_ref())
}

/// The `prev_hash` of the first event (and the head of an empty trail).
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// What a write leaves for the end of its batch: its audit event and the
/// domain events it causes, in the order the write made them.
#[derive(Debug)]
pub(crate) struct Chained {
    pub audit: Audit,
    pub events: Vec<DomainEvent>,
}

/// The audit events of `writes` (in the order they committed to the batch)
/// appended to the chain, and their domain events to the outbox, as a batch's
/// last statements before its `COMMIT`.
///
/// On PostgreSQL the head row is locked here, at the end: its lock is held for
/// two round trips and the commit, while the batch's writes ran without it.
/// Whoever holds it waits for nothing but its own commit, so batches (of this
/// instance's writer lanes or of another instance) that hold rows and wait for
/// the head cannot deadlock with it. `FOR UPDATE` reads the head as the
/// previous holder committed it; the outbox's last `seq` is read by the next
/// statement, after the lock, so it sees that holder's entries too.
pub(crate) async fn append_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    writes: &[Chained],
) -> Result<(), StoreError> {
    if writes.is_empty() {
        return Ok(());
    }
    let head = sqlx::query(match backend {
        Backend::Postgres => "SELECT seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE",
        Backend::Sqlite => "SELECT seq, last_hash FROM audit_head WHERE id = 1",
    })
    .fetch_one(&mut *conn)
    .await?;
    let (rows, seq, hash) = chained_rows(head.try_get("seq")?, head.try_get("last_hash")?, writes);
    let events: Vec<&DomainEvent> = writes.iter().flat_map(|w| &w.events).collect();
    let audit_json = serde_json::to_string(&rows)?;
    let done = match backend {
        // Without events, the outbox is not named (a database being upgraded
        // may not have one yet).
        Backend::Postgres if events.is_empty() => {
            sqlx::query(APPEND_POSTGRES_AUDIT_ONLY)
                .bind(audit_json)
                .bind(seq)
                .bind(&hash)
                .execute(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query(APPEND_POSTGRES)
                .bind(audit_json)
                .bind(crate::outbox::rows_json(&events, 0)?)
                .bind(seq)
                .bind(&hash)
                .execute(&mut *conn)
                .await?
        }
        Backend::Sqlite => {
            sqlx::query(APPEND_SQLITE)
                .bind(audit_json)
                .execute(&mut *conn)
                .await?;
            if !events.is_empty() {
                crate::outbox::append_sqlite(conn, &events).await?;
            }
            sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(&hash)
                .execute(&mut *conn)
                .await?
        }
    };
    if done.rows_affected() != 1 {
        return Err(StoreError::other("the audit head row is missing"));
    }
    Ok(())
}

/// One statement whatever the batch's size (so one prepared statement): the
/// events and outbox entries as JSON arrays of rows.
const APPEND_POSTGRES: &str = "WITH ev AS (INSERT INTO audit_events (seq, at, actor, action, \
     entity_type, entity_id, details, prev_hash, hash) \
     SELECT seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash \
     FROM json_to_recordset($1::json) AS x(seq BIGINT, at TEXT, actor TEXT, action TEXT, \
     entity_type TEXT, entity_id TEXT, details TEXT, prev_hash TEXT, hash TEXT)), \
     ob AS (INSERT INTO outbox (seq, id, event_type, subject_kind, subject_id, region_code, \
     payload, occurred_at) \
     SELECT m.base + x.n, x.id, x.event_type, x.subject_kind, x.subject_id, x.region_code, \
     x.payload, x.occurred_at \
     FROM (SELECT COALESCE(MAX(seq), 0) AS base FROM outbox) AS m, \
     json_to_recordset($2::json) AS x(n BIGINT, id TEXT, event_type TEXT, subject_kind TEXT, \
     subject_id TEXT, region_code TEXT, payload TEXT, occurred_at TEXT)) \
     UPDATE audit_head SET seq = $3, last_hash = $4 WHERE id = 1";

const APPEND_POSTGRES_AUDIT_ONLY: &str = "WITH ev AS (INSERT INTO audit_events (seq, at, \
     actor, action, entity_type, entity_id, details, prev_hash, hash) \
     SELECT seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash \
     FROM json_to_recordset($1::json) AS x(seq BIGINT, at TEXT, actor TEXT, action TEXT, \
     entity_type TEXT, entity_id TEXT, details TEXT, prev_hash TEXT, hash TEXT)) \
     UPDATE audit_head SET seq = $2, last_hash = $3 WHERE id = 1";

const APPEND_SQLITE: &str = "INSERT INTO audit_events (seq, at, actor, action, entity_type, \
     entity_id, details, prev_hash, hash) \
     SELECT json_extract(value, '$.seq'), json_extract(value, '$.at'), json_extract(value, '$.actor'), json_extract(value, '$.action'), \
     json_extract(value, '$.entity_type'), json_extract(value, '$.entity_id'), json_extract(value, '$.details'), \
     json_extract(value, '$.prev_hash'), json_extract(value, '$.hash') FROM json_each($1) ORDER BY key";

/// A stored event, before it is stored.
#[derive(Serialize)]
struct EventRow<'a> {
    seq: i64,
    at: String,
    actor: &'a str,
    action: &'a str,
    entity_type: &'a str,
    entity_id: &'a str,
    details: String,
    prev_hash: String,
    hash: String,
}

/// The rows of `writes` chained onto the head (`seq`, `prev`): the rows, and
/// the head after them.
fn chained_rows(seq: i64, prev: String, writes: &[Chained]) -> (Vec<EventRow<'_>>, i64, String) {
    let mut seq = seq;
    let mut prev = prev;
    let mut rows = Vec::with_capacity(writes.len());
    for w in writes {
        let a = &w.audit;
        seq += 1;
        let at = timestamp(a.at);
        let details = a.details.to_string();
        let fields = [
            a.actor.as_str(),
            a.action,
            a.entity_type,
            a.entity_id.as_str(),
            details.as_str(),
        ];
        let hash = chain_hash(&prev, seq, &at, fields);
        rows.push(EventRow {
            seq,
            at,
            actor: &a.actor,
            action: a.action,
            entity_type: a.entity_type,
            entity_id: &a.entity_id,
            details,
            prev_hash: std::mem::replace(&mut prev, hash.clone()),
            hash,
        });
    }
    (rows, seq, prev)
}

fn from_row(row: &AnyRow) -> Result<AuditEvent, StoreError> {
    let details: String = row.try_get("details")?;
    Ok(AuditEvent {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        entity_type: row.try_get("entity_type")?,
        entity_id: row.try_get("entity_id")?,
        details: serde_json::from_str(&details)?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const COLUMNS: &str = "seq, at, actor, action, entity_type, entity_id, details, prev_hash, hash";

impl SqlStore {
    pub(crate) async fn audit_list(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 \
             AND ($2 IS NULL OR entity_type = $2) AND ($3 IS NULL OR entity_id = $3) \
             AND ($4 IS NULL OR actor = $4) AND ($5 IS NULL OR action = $5) \
             AND ($7 IS NULL OR seq < $7) ORDER BY seq {} LIMIT $6",
            if f.newest_first { "DESC" } else { "ASC" }
        );
        let rows = sqlx::query(&sql)
            .bind(f.after_seq)
            .bind(f.entity_type.as_deref())
            .bind(f.entity_id.as_deref())
            .bind(f.actor.as_deref())
            .bind(f.action.as_deref())
            .bind(f.limit)
            .bind(f.before_seq)
            .fetch_all(&self.reader)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Walk the chain up to the head row, then compare the head with the last
    /// event: links only show edits, the head also shows a deleted tail.
    pub(crate) async fn audit_verify(&self) -> Result<ChainReport, StoreError> {
        // The head first: events appended while we walk lie beyond it.
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.reader)
            .await?;
        let (head_seq, head_hash): (i64, String) =
            (head.try_get("seq")?, head.try_get("last_hash")?);
        let mut prev = GENESIS.to_owned();
        let mut after = 0i64;
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT 1000"
        );
        loop {
            let rows = sqlx::query(&sql)
                .bind(after)
                .bind(head_seq)
                .fetch_all(&self.reader)
                .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let e = from_row(row)?;
                let details: String = row.try_get("details")?;
                let expected = chain_hash(
                    &prev,
                    e.seq,
                    &e.at,
                    [&e.actor, &e.action, &e.entity_type, &e.entity_id, &details],
                );
                if e.prev_hash != prev || e.hash != expected || e.seq != after + 1 {
                    let reason = format!(
                        "event {} does not match its hash or its link to event {after}",
                        e.seq
                    );
                    return Ok(ChainReport::broken(after, e.seq, reason));
                }
                prev = e.hash;
                after = e.seq;
            }
        }
        if after != head_seq {
            let reason = format!(
                "truncated: head says seq {head_seq} / hash {head_hash}, last event is seq {after}"
            );
            return Ok(ChainReport::broken(after, after + 1, reason));
        }
        if prev != head_hash {
            let reason = format!(
                "head says seq {head_seq} / hash {head_hash}, but event {after} has hash {prev}"
            );
            return Ok(ChainReport::broken(after, after, reason));
        }
        Ok(ChainReport {
            events: after,
            broken_at: None,
            reason: None,
        })
    }
}
