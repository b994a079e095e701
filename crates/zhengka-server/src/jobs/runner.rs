//! Running a job on a period, once across every instance on the database: before
//! each run the instance takes or renews the job's lease (`job_leases`), and
//! runs only if it holds it. What each job did in this process is kept for
//! `/metrics`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use zhengka_store::StoreError;

use crate::AppState;

pub type JobRun = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send>>;

/// Whether a job runs on one instance at a time or on each instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Its effect is in the database: one instance (the lease holder) runs it.
    Leased,
    /// Its effect is in this process (a cache): every instance runs it.
    EveryInstance,
}

/// What one job did in this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobStats {
    /// Runs on this instance (a leased job counts only the runs it held the lease for).
    pub runs: u64,
    pub failures: u64,
    /// Unix time of the last run that succeeded.
    pub last_success: Option<i64>,
}

/// This process's side of the jobs: its name as a lease holder, and the stats.
#[derive(Debug)]
pub struct Jobs {
    holder: String,
    stats: Mutex<BTreeMap<&'static str, JobStats>>,
}

impl Default for Jobs {
    fn default() -> Self {
        // Host and pid tell an operator which instance holds a job; the random
        // part keeps two processes (or two states in one test) apart.
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "host".into());
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self {
            holder: format!("{host}:{}:{}", std::process::id(), &random[..8]),
            stats: Mutex::default(),
        }
    }
}

impl Jobs {
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Every job that ran (or tried to) in this process, by name.
    pub fn stats(&self) -> Vec<(&'static str, JobStats)> {
        let stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        stats.iter().map(|(k, v)| (*k, *v)).collect()
    }

    fn record(&self, name: &'static str, ok: bool, now: DateTime<Utc>) {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        let s = stats.entry(name).or_default();
        s.runs += 1;
        if ok {
            s.last_success = Some(now.timestamp());
        } else {
            s.failures += 1;
        }
    }
}

/// How long a lease lasts: two periods and a margin, so the holder renews it
/// well before it ends, and a holder that died is replaced within that time.
pub fn lease_for(every: Duration) -> chrono::Duration {
    let secs = every.as_secs_f64() * 2.0 + 5.0;
    chrono::Duration::milliseconds((secs * 1000.0) as i64)
}

/// Run `job` at start and then every `every`, until the process ends. A run
/// that outlasts its lease may overlap another instance's; every job is
/// idempotent in its writes (versioned updates, delivery keys), so an overlap
/// costs work, never a second effect.
pub fn spawn(
    app: AppState,
    name: &'static str,
    scope: Scope,
    every: Duration,
    job: fn(AppState, DateTime<Utc>) -> JobRun,
) {
    tokio::spawn(async move {
        loop {
            let now = Utc::now();
            if holds(&app, name, scope, every, now).await {
                let result = job(app.clone(), now).await;
                if let Err(e) = &result {
                    tracing::warn!(job = name, error = %e, "job failed");
                }
                app.jobs.record(name, result.is_ok(), now);
            }
            tokio::time::sleep(every).await;
        }
    });
}

async fn holds(
    app: &AppState,
    name: &'static str,
    scope: Scope,
    every: Duration,
    now: DateTime<Utc>,
) -> bool {
    if scope == Scope::EveryInstance {
        return true;
    }
    let until = now + lease_for(every);
    match app
        .store
        .take_lease(name, app.jobs.holder(), now, until)
        .await
    {
        Ok(held) => held,
        Err(e) => {
            tracing::warn!(job = name, error = %e, "job lease not taken");
            app.jobs.record(name, false, now);
            false
        }
    }
}
