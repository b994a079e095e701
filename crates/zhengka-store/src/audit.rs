//! The audit trail: append-only, hash-chained, written in the same transaction
//! as the change it records. `verify` walks the chain.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::vault::hex;
use crate::{Backend, SqlStore, StoreError, WriteTx};

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

fn chain_hash(prev: &str, seq: i64, at: &str, fields: [&str; 5]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let seq = seq.to_string();
    for part in [prev, seq.as_str()] {
        ctx.update(&(part.len() as u64).to_be_bytes());
        ctx.update(part.as_bytes());
    }
    ctx.update(&chain_tail(at, fields));
    hex(ctx.finish().as_ref())
}

/// What an event's hash covers after `prev` and `seq`, the two parts only the
/// head knows: every part as its length in bytes (u64, big-endian) and its
/// UTF-8 bytes.
fn chain_tail(at: &str, fields: [&str; 5]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in [at].into_iter().chain(fields) {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part.as_bytes());
    }
    out
}

/// The `prev_hash` of the first event (and the head of an empty trail).
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Append one event inside `tx`, as the write's last step before the outbox
/// and the commit: the head row's lock, held to the commit, orders concurrent
/// writers on PostgreSQL, so the chain never forks.
pub(crate) async fn append(
    tx: &mut WriteTx,
    a: &Audit,
    backend: Backend,
) -> Result<(), StoreError> {
    let at = timestamp(a.at);
    let details = a.details.to_string();
    let fields = [
        a.actor.as_str(),
        a.action,
        a.entity_type,
        a.entity_id.as_str(),
        details.as_str(),
    ];
    match backend {
        Backend::Postgres => append_postgres(tx, a, &at, &details, chain_tail(&at, fields)).await,
        Backend::Sqlite => {
            // One writer: nothing waits on the head between these statements.
            let head = sqlx::query(
                "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash",
            )
            .fetch_one(&mut **tx)
            .await?;
            let seq: i64 = head.try_get("seq")?;
            let prev: String = head.try_get("last_hash")?;
            let hash = chain_hash(&prev, seq, &at, fields);
            sqlx::query(
                "INSERT INTO audit_events (seq, at, actor, action, entity_type, entity_id, \
                 details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(seq)
            .bind(&at)
            .bind(&a.actor)
            .bind(a.action)
            .bind(a.entity_type)
            .bind(&a.entity_id)
            .bind(&details)
            .bind(&prev)
            .bind(&hash)
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
                .bind(&hash)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }
    }
}

/// PostgreSQL: lock the head, insert the event and move the head in one
/// statement, so the lock is held for one round trip and the commit. The
/// server hashes what only the head knows (`prev`, `seq`: ASCII) in front of
/// `tail`, computed here by [`chain_tail`]: the same bytes as [`chain_hash`].
/// `FOR UPDATE` waits for the previous writer's commit and then reads the head
/// it committed; the `UPDATE` of the same (now locked) row follows it.
async fn append_postgres(
    tx: &mut WriteTx,
    a: &Audit,
    at: &str,
    details: &str,
    tail: Vec<u8>,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "WITH head AS (SELECT seq + 1 AS seq, last_hash AS prev FROM audit_head \
         WHERE id = 1 FOR UPDATE), \
         event AS (INSERT INTO audit_events (seq, at, actor, action, entity_type, entity_id, \
         details, prev_hash, hash) \
         SELECT seq, $1, $2, $3, $4, $5, $6, prev, encode(sha256( \
         int8send(octet_length(convert_to(prev, 'UTF8'))::int8) || convert_to(prev, 'UTF8') || \
         int8send(octet_length(convert_to(seq::text, 'UTF8'))::int8) || \
         convert_to(seq::text, 'UTF8') || $7::bytea), 'hex') FROM head RETURNING seq, hash) \
         UPDATE audit_head SET seq = (SELECT seq FROM event), \
         last_hash = (SELECT hash FROM event) WHERE id = 1",
    )
    .bind(at)
    .bind(&a.actor)
    .bind(a.action)
    .bind(a.entity_type)
    .bind(&a.entity_id)
    .bind(details)
    .bind(tail)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::other("the audit head row is missing"));
    }
    Ok(())
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
