//! The jobs' part of `/metrics` (Prometheus text): runs, failures and last
//! success per job in this process, which jobs this instance holds the lease
//! of, the outbox lag per subscriber, and the age of the status list served.

use std::fmt::Write as _;

use crate::AppState;

/// Read from the database at scrape time; a failed read leaves its lines out
/// (and is logged) rather than failing the whole scrape.
pub async fn render(app: &AppState, now: i64) -> String {
    let mut out = String::new();
    job_stats(app, &mut out);
    leases(app, now, &mut out).await;
    outbox_lag(app, &mut out).await;
    status_age(app, now, &mut out);
    out
}

fn job_stats(app: &AppState, out: &mut String) {
    let stats = app.jobs.stats();
    out.push_str(
        "# HELP zhengka_job_runs_total Job runs on this instance (leased jobs: while it held the lease).\n\
         # TYPE zhengka_job_runs_total counter\n",
    );
    for (job, s) in &stats {
        let _ = writeln!(out, "zhengka_job_runs_total{{job=\"{job}\"}} {}", s.runs);
    }
    out.push_str(
        "# HELP zhengka_job_failures_total Job runs that failed on this instance.\n\
         # TYPE zhengka_job_failures_total counter\n",
    );
    for (job, s) in &stats {
        let _ = writeln!(
            out,
            "zhengka_job_failures_total{{job=\"{job}\"}} {}",
            s.failures
        );
    }
    out.push_str(
        "# HELP zhengka_job_last_success_timestamp_seconds Unix time of the job's last successful run here.\n\
         # TYPE zhengka_job_last_success_timestamp_seconds gauge\n",
    );
    for (job, s) in &stats {
        if let Some(t) = s.last_success {
            let _ = writeln!(
                out,
                "zhengka_job_last_success_timestamp_seconds{{job=\"{job}\"}} {t}"
            );
        }
    }
}

async fn leases(app: &AppState, now: i64, out: &mut String) {
    let leases = match app.store.job_leases().await {
        Ok(l) => l,
        Err(e) => return tracing::warn!(error = %e, "metrics: job leases not read"),
    };
    out.push_str(
        "# HELP zhengka_job_lease_held 1 when this instance holds the job's unexpired lease.\n\
         # TYPE zhengka_job_lease_held gauge\n",
    );
    for l in leases {
        let held = l.holder == app.jobs.holder() && l.expires_at.timestamp() >= now;
        let _ = writeln!(
            out,
            "zhengka_job_lease_held{{job=\"{}\"}} {}",
            l.name,
            u8::from(held)
        );
    }
}

async fn outbox_lag(app: &AppState, out: &mut String) {
    out.push_str(
        "# HELP zhengka_outbox_lag_events Outbox events past the subscriber's cursor.\n\
         # TYPE zhengka_outbox_lag_events gauge\n",
    );
    let mut cursors: Vec<(&str, &[&str])> = super::dispatch::SUBSCRIBERS
        .iter()
        .map(|s| (s.name, s.types))
        .collect();
    // The NATS publication's cursor, when it runs.
    if app.providers.nats.is_some() {
        cursors.push((super::NATS_SUBSCRIBER, &zhengka_domain::events::EVENT_TYPES));
    }
    for (name, types) in cursors {
        match app.store.outbox_lag(name, types).await {
            Ok(n) => {
                let _ = writeln!(
                    out,
                    "zhengka_outbox_lag_events{{subscriber=\"{name}\"}} {n}"
                );
            }
            Err(e) => {
                tracing::warn!(subscriber = name, error = %e, "metrics: outbox lag not read")
            }
        }
    }
}

fn status_age(app: &AppState, now: i64, out: &mut String) {
    // No line before this instance has built a list (nothing served yet).
    if let Some(iat) = app.credentials.status_list_iat() {
        out.push_str(
            "# HELP zhengka_status_list_age_seconds Seconds since the served status list's iat.\n\
             # TYPE zhengka_status_list_age_seconds gauge\n",
        );
        let _ = writeln!(out, "zhengka_status_list_age_seconds {}", now - iat);
    }
}
