//! Write transactions, **group-committed** on both backends: one writer
//! connection keeps one transaction open for a batch of writes, each in
//! its own savepoint, and one `COMMIT` (one sync of the WAL) ends them all.
//!
//! - A write's own statements run in its savepoint; its audit event and
//!   outbox entries wait in the batch and are appended, for all its writes at
//!   once, as the batch's last statements (`audit::append_batch`). Only that
//!   end takes the audit head's lock (on PostgreSQL), so the chain is written
//!   in commit order and never forks, and the lock is held for two round
//!   trips and the commit instead of the whole batch. Its holder waits for
//!   nothing but its commit, so the batches of several instances, holding
//!   rows and waiting for the head, cannot deadlock on it.
//! - PostgreSQL writes run on lanes (`ZHENGKA_WRITE_LANES`, default 2), each
//!   a connection with a batch of its own; a write takes a free lane. Each
//!   lane moves its own rows of the status lists' counter (migration 24), so
//!   lanes wait for each other only on records both write at once, where one
//!   of the two writes fails its version or unique key anyway. A lock cycle
//!   between two lanes is broken by PostgreSQL failing one write's statement
//!   (`deadlock_detected`): that write alone rolls back to its savepoint and
//!   is refused as `write_deadlock`, which the server runs again
//!   (`http::retry`) to give the answer its turn gives; both batches go on.
//!   With one counter row,
//!   every approval waited for the other lanes' batches and such cycles were
//!   the rule (docs/performance.md). SQLite has one lane: one writer.
//! - A write's savepoint is released by the next write's `SAVEPOINT` (one
//!   round trip for both) or by the `COMMIT`.
//! - A write is acknowledged (its `commit` returns `Ok`) only after the
//!   `COMMIT` of its batch returned, so what was acknowledged is durable.
//! - A write that fails, or is dropped half-way, is rolled back to its
//!   savepoint; the other writes of its batch go on.
//! - If the transaction itself cannot go on (a savepoint that cannot be
//!   rolled back, a failed batch end or `COMMIT`), every write of the batch
//!   gets the error and nothing of it is committed.
//! - The batch is committed by a task of its own, queued behind the writes
//!   already waiting for the connection (the lock is fair), so it holds every write
//!   that was waiting when its first member finished, and no write is left
//!   waiting on a cancelled request.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::audit::Chained;
use crate::{Backend, StoreError};

/// Writes at most in one batch; the next write commits the batch first.
const MAX_BATCH: usize = 64;

/// The rows of `status_head` on PostgreSQL (migration 24).
const STATUS_SHARDS: u64 = 8;

/// Writer lanes at most; each has rows of `status_head` of its own.
pub const MAX_LANES: usize = 4;

/// How a store begins its writes: savepoints in a shared transaction,
/// group-committed, on one of its lanes.
pub(crate) struct Writes {
    lanes: Vec<Arc<Group>>,
    next: AtomicUsize,
}

impl std::fmt::Debug for Writes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writes")
    }
}

impl Writes {
    /// `lanes` writer connections (PostgreSQL; SQLite has one writer), at
    /// most [`MAX_LANES`].
    pub(crate) fn grouped(pool: AnyPool, backend: Backend, lanes: usize) -> Self {
        let lanes = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => lanes.clamp(1, MAX_LANES),
        };
        let lanes = (0..lanes)
            .map(|lane| {
                Arc::new(Group {
                    pool: pool.clone(),
                    batch: Arc::new(Mutex::new(Batch::new(backend, lane as u64, lanes as u64))),
                })
            })
            .collect();
        Self {
            lanes,
            next: AtomicUsize::new(0),
        }
    }

    /// A free lane if there is one (taking turns), else a turn on the next.
    /// The lanes' locks are fair: a free one is never taken from a write or
    /// committer already waiting for it.
    pub(crate) async fn begin(&self) -> Result<WriteTx, StoreError> {
        let n = self.lanes.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            let lane = &self.lanes[(start + i) % n];
            if let Ok(batch) = Arc::clone(&lane.batch).try_lock_owned() {
                return lane.begin(batch).await;
            }
        }
        let lane = &self.lanes[start];
        let batch = Arc::clone(&lane.batch).lock_owned().await;
        lane.begin(batch).await
    }
}

pub(crate) struct Group {
    pool: AnyPool,
    batch: Arc<Mutex<Batch>>,
}

type Outcome = Result<(), String>;

struct Batch {
    backend: Backend,
    lane: u64,
    lanes: u64,
    tx: Option<Transaction<'static, Any>>,
    /// The writes done in this batch, waiting for its `COMMIT`.
    members: Vec<oneshot::Sender<Outcome>>,
    /// Their audit events and outbox entries, in the same order.
    chained: Vec<Chained>,
    /// The last done write's savepoint, released with the next `SAVEPOINT`.
    unreleased: Option<String>,
    /// The savepoint a write left open: rolled back before anything else, and
    /// forgotten only once that worked (a cancelled rollback is tried again).
    abandoned: Option<String>,
    /// Savepoints are named apart, so a rollback can only hit its own write.
    savepoints: u64,
    /// Why the open transaction must not commit.
    broken: Option<String>,
    /// Moves on at every commit, so a late committer finds its batch done.
    number: u64,
    committer: bool,
}

fn rollback_to(savepoint: &str) -> String {
    format!("ROLLBACK TO SAVEPOINT {savepoint}; RELEASE SAVEPOINT {savepoint}")
}

impl Batch {
    fn new(backend: Backend, lane: u64, lanes: u64) -> Self {
        Self {
            backend,
            lane,
            lanes,
            tx: None,
            members: Vec::new(),
            chained: Vec::new(),
            unreleased: None,
            abandoned: None,
            savepoints: 0,
            broken: None,
            number: 0,
            committer: false,
        }
    }

    /// The batch's first statements. On PostgreSQL the batch names its
    /// `status_head` row (migration 24): the lanes' rows are apart, and a
    /// lane's batch does not wait on its row for the one before to commit.
    fn begin_sql(&self, savepoint: &str) -> String {
        let turns = STATUS_SHARDS / self.lanes;
        match self.backend {
            Backend::Postgres => format!(
                "BEGIN; SET LOCAL zhengka.status_shard = '{}'; SAVEPOINT {savepoint}",
                self.lane + self.lanes * (self.number % turns)
            ),
            Backend::Sqlite => format!("BEGIN; SAVEPOINT {savepoint}"),
        }
    }

    fn conn(&mut self) -> &mut AnyConnection {
        self.tx.as_deref_mut().expect("a write holds an open batch")
    }

    /// Roll back a savepoint a write left open; if that fails the whole
    /// transaction is suspect and will not commit.
    async fn settle(&mut self) {
        let Some(savepoint) = self.abandoned.clone() else {
            return;
        };
        if let Some(tx) = self.tx.as_deref_mut()
            && let Err(e) = tx.execute(rollback_to(&savepoint).as_str()).await
        {
            self.broken = Some(format!("rolling back a failed write: {e}"));
        }
        self.abandoned = None;
        if self.members.is_empty() && self.tx.is_some() {
            // Nothing of this transaction was done: end it now.
            self.resolve();
        }
    }

    /// End the open batch: its end (audit events, `COMMIT`, or the rollback
    /// when broken) runs in a task of its own, off the lock, so the next batch
    /// begins on another connection at once and its writes run while this one
    /// syncs (they wait only for rows this one changed; SQLite's one
    /// connection comes back when it has committed). The batch moves on
    /// first: an end that never ran tells its writes that they were dropped
    /// (unacknowledged), never a wrong outcome.
    fn resolve(&mut self) {
        let ending = Ending {
            backend: self.backend,
            tx: self.tx.take(),
            broken: self.broken.take(),
            members: std::mem::take(&mut self.members),
            chained: std::mem::take(&mut self.chained),
        };
        self.unreleased = None;
        self.number += 1;
        self.committer = false;
        tokio::spawn(ending.run());
    }
}

/// A batch taken off the writer connection's lock, to be committed.
struct Ending {
    backend: Backend,
    tx: Option<Transaction<'static, Any>>,
    broken: Option<String>,
    members: Vec<oneshot::Sender<Outcome>>,
    chained: Vec<Chained>,
}

impl Ending {
    async fn run(self) {
        let outcome = match (self.tx, self.broken) {
            (Some(mut tx), None) => {
                match crate::audit::append_batch(&mut tx, self.backend, &self.chained).await {
                    Ok(()) => tx.commit().await.map_err(|e| format!("group commit: {e}")),
                    Err(e) => {
                        let _ = tx.rollback().await;
                        Err(format!("appending the batch's audit events: {e}"))
                    }
                }
            }
            (Some(tx), Some(why)) => {
                let _ = tx.rollback().await;
                Err(why)
            }
            (None, why) => Err(why.unwrap_or_else(|| "no open transaction".into())),
        };
        for m in self.members {
            let _ = m.send(outcome.clone());
        }
    }
}

impl Group {
    async fn begin(
        self: &Arc<Self>,
        mut batch: OwnedMutexGuard<Batch>,
    ) -> Result<WriteTx, StoreError> {
        batch.settle().await;
        if batch.broken.is_some() || batch.members.len() >= MAX_BATCH {
            batch.resolve();
        }
        batch.savepoints += 1;
        let savepoint = format!("zk_write_{}", batch.savepoints);
        if batch.tx.is_none() {
            // Failing, nothing is open: the error is the write's alone.
            let tx = self.pool.begin_with(batch.begin_sql(&savepoint)).await?;
            batch.tx = Some(tx);
        } else {
            let sql = match batch.unreleased.take() {
                Some(done) => format!("RELEASE SAVEPOINT {done}; SAVEPOINT {savepoint}"),
                None => format!("SAVEPOINT {savepoint}"),
            };
            if let Err(e) = batch.conn().execute(sql.as_str()).await {
                batch.broken = Some(format!("savepoint: {e}"));
                if batch.members.is_empty() {
                    batch.resolve();
                }
                return Err(e.into());
            }
        }
        Ok(WriteTx(Member {
            batch,
            group: Arc::clone(self),
            savepoint,
            open: true,
        }))
    }

    /// Commit batch `number` unless someone already did.
    async fn commit(self: Arc<Self>, number: u64) {
        let mut batch = self.batch.lock().await;
        if batch.number == number {
            batch.settle().await;
            if batch.number == number {
                batch.resolve();
            }
        }
    }

    /// Settle a savepoint a dropped write left open, if nobody else will.
    async fn settle(self: Arc<Self>) {
        self.batch.lock().await.settle().await;
    }
}

/// One write in a grouped batch: holds the writer connection until it
/// commits or drops.
struct Member {
    batch: OwnedMutexGuard<Batch>,
    group: Arc<Group>,
    savepoint: String,
    /// Its savepoint is open (not yet released or rolled back).
    open: bool,
}

impl Drop for Member {
    fn drop(&mut self) {
        if self.open {
            self.batch.abandoned = Some(self.savepoint.clone());
            // Roll it back soon even if no other write comes.
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(Arc::clone(&self.group).settle());
            }
        }
    }
}

/// An open write: its statements run on `&mut *tx`; [`WriteTx::commit`] ends
/// it, dropping it rolls it back.
pub(crate) struct WriteTx(Member);

impl Deref for WriteTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        self.0
            .batch
            .tx
            .as_deref()
            .expect("a write holds an open batch")
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.0.batch.conn()
    }
}

impl WriteTx {
    /// Commit a write without an audit event; `Ok` only once it is durable.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.done(None).await
    }

    /// Commit a write whose audit event and outbox entries the batch appends
    /// at its end; `Ok` only once it is durable.
    pub(crate) async fn commit_chained(self, chained: Chained) -> Result<(), StoreError> {
        self.done(Some(chained)).await
    }

    async fn done(self, chained: Option<Chained>) -> Result<(), StoreError> {
        let mut m = self.0;
        m.open = false;
        m.batch.unreleased = Some(std::mem::take(&mut m.savepoint));
        let (sender, outcome) = oneshot::channel();
        m.batch.members.push(sender);
        m.batch.chained.extend(chained);
        let number = m.batch.number;
        let spawn = !std::mem::replace(&mut m.batch.committer, true);
        let group = Arc::clone(&m.group);
        drop(m);
        if spawn {
            tokio::spawn(group.commit(number));
        }
        match outcome.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(StoreError::other(why)),
            Err(_) => Err(StoreError::other(
                "the write's batch was dropped uncommitted",
            )),
        }
    }

    /// Roll back now (dropping does the same).
    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        let mut m = self.0;
        let sql = rollback_to(&m.savepoint);
        // Cancelled before this returns, the drop tries it again.
        let done = m.batch.conn().execute(sql.as_str()).await;
        m.open = false;
        if let Err(e) = done {
            m.batch.broken = Some(format!("rolling back a write: {e}"));
        }
        if m.batch.members.is_empty() {
            // Nothing else in this transaction: end it now.
            m.batch.resolve();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
