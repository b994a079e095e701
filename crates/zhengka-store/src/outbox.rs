//! The transactional outbox: domain events committed with the change that
//! caused them, read in order by the dispatcher, applied once per subscriber.

use async_trait::async_trait;
use sqlx::Row;
use zhengka_domain::events::DomainEvent;

use crate::audit::timestamp;
use crate::{SqlStore, StoreError, WriteTx};

/// An event as the dispatcher reads it: its place in the outbox and the event.
#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub seq: i64,
    pub event: DomainEvent,
}

/// The delivery a write completes: the subscriber applied this event. Written
/// in the same transaction as the subscriber's change, keyed by event id, so
/// a second delivery of the same event changes nothing.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub subscriber: &'static str,
    pub event_id: String,
    pub seq: i64,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Events after the subscriber's cursor of one of `types`, oldest first.
    async fn pending_events(
        &self,
        subscriber: &str,
        types: &[&str],
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError>;
    /// Move the cursor past an event that asks nothing of this subscriber.
    async fn skip_event(&self, d: Delivery) -> Result<(), StoreError>;
    /// Every event of a subject, oldest first (account and card pages).
    async fn events_of(&self, kind: &str, id: &str) -> Result<Vec<OutboxEntry>, StoreError>;
    /// How many events of `types` are past the subscriber's cursor (outbox
    /// lag): the events it still has to handle. (Events of other types stay
    /// past the cursor until one of its own moves it, so they are not counted.)
    async fn outbox_lag(&self, subscriber: &str, types: &[&str]) -> Result<i64, StoreError>;
}

/// An outbox entry before it is stored: `n` is its place in the batch
/// (1, 2, ...), added to the outbox's last `seq` under the audit head's lock,
/// so entries are numbered in commit order without gaps or races.
#[derive(serde::Serialize)]
struct EntryRow<'a> {
    n: i64,
    id: &'a str,
    event_type: &'static str,
    subject_kind: &'a str,
    subject_id: &'a str,
    region_code: &'a str,
    payload: String,
    occurred_at: String,
}

/// `events` as a JSON array of rows numbered from `base + 1` (see
/// `audit::append_batch`).
pub(crate) fn rows_json(events: &[&DomainEvent], base: i64) -> Result<String, StoreError> {
    let mut rows = Vec::with_capacity(events.len());
    for (n, e) in (base + 1..).zip(events) {
        rows.push(EntryRow {
            n,
            id: &e.id,
            event_type: e.data.type_name(),
            subject_kind: &e.subject.kind,
            subject_id: &e.subject.id,
            region_code: e.region.as_str(),
            payload: serde_json::to_string(e)?,
            occurred_at: timestamp(e.occurred_at),
        });
    }
    Ok(serde_json::to_string(&rows)?)
}

/// SQLite (one writer, so nothing moves the outbox between the two
/// statements): the entries numbered from the last `seq`.
pub(crate) async fn append_sqlite(
    conn: &mut sqlx::AnyConnection,
    events: &[&DomainEvent],
) -> Result<(), StoreError> {
    let base: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS base FROM outbox")
        .fetch_one(&mut *conn)
        .await?
        .try_get("base")?;
    sqlx::query(
        "INSERT INTO outbox (seq, id, event_type, subject_kind, subject_id, region_code, \
         payload, occurred_at) SELECT json_extract(value, '$.n'), json_extract(value, '$.id'), \
         json_extract(value, '$.event_type'), json_extract(value, '$.subject_kind'), \
         json_extract(value, '$.subject_id'), json_extract(value, '$.region_code'), \
         json_extract(value, '$.payload'), json_extract(value, '$.occurred_at') \
         FROM json_each($1) ORDER BY key",
    )
    .bind(rows_json(events, base)?)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Record a delivery and move the cursor, inside the subscriber's transaction.
/// A delivery recorded before is a conflict: the caller's change must not
/// commit twice.
pub(crate) async fn deliver(tx: &mut WriteTx, d: &Delivery) -> Result<(), StoreError> {
    let now = timestamp(chrono::Utc::now());
    sqlx::query(
        "INSERT INTO outbox_deliveries (subscriber, event_id, delivered_at) VALUES ($1, $2, $3)",
    )
    .bind(d.subscriber)
    .bind(&d.event_id)
    .bind(&now)
    .execute(&mut **tx)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict { .. } => StoreError::conflict("outbox_delivery"),
        other => other,
    })?;
    sqlx::query(
        "INSERT INTO outbox_cursors (subscriber, last_seq, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (subscriber) DO UPDATE SET last_seq = excluded.last_seq, \
         updated_at = excluded.updated_at WHERE outbox_cursors.last_seq < excluded.last_seq",
    )
    .bind(d.subscriber)
    .bind(d.seq)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn entry(row: &sqlx::any::AnyRow) -> Result<OutboxEntry, StoreError> {
    let payload: String = row.try_get("payload")?;
    Ok(OutboxEntry {
        seq: row.try_get("seq")?,
        event: serde_json::from_str(&payload)?,
    })
}

#[async_trait]
impl OutboxStore for SqlStore {
    async fn pending_events(
        &self,
        subscriber: &str,
        types: &[&str],
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let marks: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT seq, payload FROM outbox WHERE seq > COALESCE((SELECT last_seq FROM \
             outbox_cursors WHERE subscriber = $1), 0) AND event_type IN ({}) \
             ORDER BY seq LIMIT $2",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(subscriber).bind(limit);
        for t in types {
            q = q.bind(*t);
        }
        let rows = q.fetch_all(&self.writer).await?;
        rows.iter().map(entry).collect()
    }

    async fn skip_event(&self, d: Delivery) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        match deliver(&mut tx, &d).await {
            Ok(()) => tx.commit().await,
            // Delivered already (another dispatcher): nothing to write. Rolled
            // back, not committed: on PostgreSQL the failed statement has
            // aborted the write (its savepoint, in a group commit).
            Err(StoreError::Conflict { .. }) => tx.rollback().await,
            Err(e) => Err(e),
        }
    }

    async fn events_of(&self, kind: &str, id: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, payload FROM outbox WHERE subject_kind = $1 AND subject_id = $2 \
             ORDER BY seq",
        )
        .bind(kind)
        .bind(id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(entry).collect()
    }

    async fn outbox_lag(&self, subscriber: &str, types: &[&str]) -> Result<i64, StoreError> {
        let marks: Vec<String> = (0..types.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE seq > COALESCE((SELECT last_seq FROM \
             outbox_cursors WHERE subscriber = $1), 0) AND event_type IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(subscriber);
        for t in types {
            q = q.bind(*t);
        }
        Ok(q.fetch_one(&self.reader).await?.try_get("n")?)
    }
}
