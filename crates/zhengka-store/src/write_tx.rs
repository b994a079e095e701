//! Write transactions, **group-committed** on both backends: one writer
//! connection keeps one transaction open for a batch of writes, each in its
//! own savepoint, and one `COMMIT` (one sync of the WAL) ends them all.
//!
//! - Why on PostgreSQL too: every write ends on the audit chain's one head
//!   row, whose lock is held to the commit, so writes with a transaction of
//!   their own wait for each other's WAL flush one by one (0.06x the bare
//!   commit rate at 32 clients). A batch holds that lock once for all its
//!   writes and flushes once.
//! - On PostgreSQL a batch takes the head's lock first, before any write of it
//!   runs: every instance's batches then lock in the same order (head, then
//!   rows), so batches of two instances on one database queue behind each
//!   other instead of deadlocking (one holding the head and wanting a row, the
//!   other holding the row and wanting the head).
//!
//! - A write is acknowledged (its `commit` returns `Ok`) only after the
//!   `COMMIT` of its batch returned, so what was acknowledged is durable.
//! - A write that fails, or is dropped half-way, is rolled back to its
//!   savepoint; the other writes of its batch go on.
//! - If the transaction itself cannot go on (a savepoint that cannot be
//!   rolled back, a failed `COMMIT`), every write of the batch gets the error
//!   and nothing of it is committed.
//! - The batch is committed by a task of its own, queued behind the writes
//!   already waiting for the connection (the lock is fair), so it holds every
//!   write that was waiting when its first member finished, and no write is
//!   left waiting on a cancelled request.

use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use sqlx::{Any, AnyConnection, AnyPool, Executor, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::StoreError;

/// Writes at most in one batch; the next write commits the batch first.
const MAX_BATCH: usize = 64;

/// How a store begins its writes: savepoints in a shared transaction,
/// group-committed.
pub(crate) struct Writes(Arc<Group>);

impl std::fmt::Debug for Writes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Writes")
    }
}

impl Writes {
    /// `first`: a statement each batch's transaction runs before its writes
    /// (PostgreSQL: the audit head's lock).
    pub(crate) fn grouped(pool: AnyPool, first: Option<&'static str>) -> Self {
        Self(Arc::new(Group {
            pool,
            first,
            batch: Arc::new(Mutex::new(Batch::default())),
        }))
    }

    pub(crate) async fn begin(&self) -> Result<WriteTx, StoreError> {
        self.0.begin().await
    }
}

pub(crate) struct Group {
    pool: AnyPool,
    first: Option<&'static str>,
    batch: Arc<Mutex<Batch>>,
}

type Outcome = Result<(), String>;

#[derive(Default)]
struct Batch {
    tx: Option<Transaction<'static, Any>>,
    /// The writes done in this batch, waiting for its `COMMIT`.
    members: Vec<oneshot::Sender<Outcome>>,
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
            self.resolve().await;
        }
    }

    /// Commit (or, when broken, roll back) the open transaction and tell its
    /// writes the outcome. The batch moves on first: cancelled half-way, its
    /// writes hear that it was dropped (unacknowledged), never a wrong outcome.
    async fn resolve(&mut self) {
        let members = std::mem::take(&mut self.members);
        self.number += 1;
        self.committer = false;
        let outcome = match (self.tx.take(), self.broken.take()) {
            (Some(tx), None) => tx.commit().await.map_err(|e| format!("group commit: {e}")),
            (Some(tx), Some(why)) => {
                let _ = tx.rollback().await;
                Err(why)
            }
            (None, why) => Err(why.unwrap_or_else(|| "no open transaction".into())),
        };
        for m in members {
            let _ = m.send(outcome.clone());
        }
    }
}

impl Group {
    async fn begin(self: &Arc<Self>) -> Result<WriteTx, StoreError> {
        let mut batch = Arc::clone(&self.batch).lock_owned().await;
        batch.settle().await;
        if batch.broken.is_some() || batch.members.len() >= MAX_BATCH {
            batch.resolve().await;
        }
        if batch.tx.is_none() {
            let mut tx = self.pool.begin().await?;
            if let Some(first) = self.first {
                // Failing, the transaction is dropped (rolled back) unused.
                tx.execute(first).await?;
            }
            batch.tx = Some(tx);
        }
        batch.savepoints += 1;
        let savepoint = format!("zk_write_{}", batch.savepoints);
        let sql = format!("SAVEPOINT {savepoint}");
        if let Err(e) = batch.conn().execute(sql.as_str()).await {
            batch.broken = Some(format!("savepoint: {e}"));
            if batch.members.is_empty() {
                batch.resolve().await;
            }
            return Err(e.into());
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
                batch.resolve().await;
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
    /// Commit; `Ok` only once the write is durable.
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        let mut m = self.0;
        let release = format!("RELEASE SAVEPOINT {}", m.savepoint);
        m.batch.conn().execute(release.as_str()).await?;
        m.open = false;
        let (sender, outcome) = oneshot::channel();
        m.batch.members.push(sender);
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
            m.batch.resolve().await;
        }
        Ok(())
    }
}
