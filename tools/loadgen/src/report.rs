//! The report: throughput, latency percentiles, verification.

use std::time::Duration;

use crate::client::Outcome;
use crate::verify::Verification;

/// One backend's results.
pub struct Run {
    pub backend: String,
    pub clients: usize,
    pub baseline: Outcome,
    /// Bare one-row commits on the same database (absent against `--target`).
    pub commits: Option<Outcome>,
    pub load: Outcome,
    pub verification: Option<Verification>,
}

impl Run {
    pub fn healthz_per_s(&self) -> f64 {
        per_s(self.baseline.requests() as f64, self.baseline.elapsed)
    }
    pub fn workflows_per_s(&self) -> f64 {
        per_s(self.load.workflows as f64, self.load.elapsed)
    }
    /// Acknowledged writes per second in the workload.
    pub fn writes_per_s(&self) -> f64 {
        per_s(self.load.writes as f64, self.load.elapsed)
    }
    pub fn commits_per_s(&self) -> Option<f64> {
        self.commits
            .as_ref()
            .map(|c| per_s(c.writes as f64, c.elapsed))
    }
    /// Workload writes/s over bare commits/s: the write-path figure.
    pub fn write_ratio(&self) -> Option<f64> {
        self.commits_per_s().map(|c| self.writes_per_s() / c)
    }
    pub fn requests_per_s(&self) -> f64 {
        per_s(self.load.requests() as f64, self.load.elapsed)
    }
    pub fn ok(&self) -> bool {
        self.verification.as_ref().is_some_and(Verification::ok)
    }
}

fn per_s(n: f64, d: Duration) -> f64 {
    n / d.as_secs_f64().max(1e-9)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Request type, count, p50, p95, p99, max (ms).
type Row = (String, usize, f64, f64, f64, f64);

fn latency_rows(o: &Outcome) -> Vec<Row> {
    o.latencies
        .iter()
        .map(|(kind, samples)| {
            let mut s = samples.clone();
            s.sort_unstable();
            let max = s.last().copied().unwrap_or_default();
            (
                kind.to_string(),
                s.len(),
                ms(percentile(&s, 50.0)),
                ms(percentile(&s, 95.0)),
                ms(percentile(&s, 99.0)),
                ms(max),
            )
        })
        .collect()
}

pub fn print(r: &Run) {
    println!("\n== backend: {} ({} clients) ==", r.backend, r.clients);
    println!(
        "baseline  GET /healthz: {} requests in {:.1} s = {:.0} req/s",
        r.baseline.requests(),
        r.baseline.elapsed.as_secs_f64(),
        r.healthz_per_s()
    );
    println!(
        "workload  {} complete workflows in {:.1} s = {:.1} workflows/s; {} HTTP requests = {:.0} req/s",
        r.load.workflows,
        r.load.elapsed.as_secs_f64(),
        r.workflows_per_s(),
        r.load.requests(),
        r.requests_per_s()
    );
    println!(
        "          {} applications acknowledged, {} cut short at the deadline, {} idempotent retries",
        r.load.acks.len(),
        r.load.cut_short,
        r.load.replays
    );
    println!(
        "ratio     workflows/s / healthz req/s = {:.4}; HTTP req/s / healthz req/s = {:.3}",
        r.workflows_per_s() / r.healthz_per_s(),
        r.requests_per_s() / r.healthz_per_s()
    );
    if let (Some(c), Some(commits), Some(ratio)) = (&r.commits, r.commits_per_s(), r.write_ratio())
    {
        println!(
            "writes    bare commits: {} in {:.1} s = {commits:.0}/s; workload: {} acknowledged writes = {:.0}/s",
            c.writes,
            c.elapsed.as_secs_f64(),
            r.load.writes,
            r.writes_per_s()
        );
        println!("ratio     workload writes/s / bare commits/s = {ratio:.3}");
    }
    println!(
        "latency (ms)                                count      p50      p95      p99      max"
    );
    for o in [Some(&r.baseline), r.commits.as_ref(), Some(&r.load)]
        .into_iter()
        .flatten()
    {
        for (kind, n, p50, p95, p99, max) in latency_rows(o) {
            println!("  {kind:<41} {n:>7} {p50:>8.2} {p95:>8.2} {p99:>8.2} {max:>8.2}");
        }
    }
    if !r.load.errors.is_empty() || !r.baseline.errors.is_empty() {
        println!("unexpected answers:");
        for (what, n) in r.baseline.errors.iter().chain(&r.load.errors) {
            println!("  {n:>6} x {what}");
        }
    }
    for (what, n) in &r.load.expected {
        println!("expected: {n} x {what}");
    }
    match &r.verification {
        None => println!("verification: not run"),
        Some(v) => {
            println!("verification: {}", if v.ok() { "OK" } else { "FAILED" });
            for c in &v.checks {
                println!(
                    "  [{}] {}: {}",
                    if c.ok { "ok" } else { "FAIL" },
                    c.name,
                    c.detail
                );
            }
        }
    }
}

/// Markdown, for docs/performance.md.
pub fn markdown(runs: &[Run]) {
    println!(
        "\n| backend | clients | bare commits/s | writes/s | writes/s ÷ bare commits/s | healthz req/s | workflows/s | verification |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let opt = |v: Option<f64>, digits: usize| {
            v.map_or_else(|| "-".to_owned(), |v| format!("{v:.digits$}"))
        };
        println!(
            "| {} | {} | {} | {:.0} | {} | {:.0} | {:.1} | {} |",
            r.backend,
            r.clients,
            opt(r.commits_per_s(), 0),
            r.writes_per_s(),
            opt(r.write_ratio(), 3),
            r.healthz_per_s(),
            r.workflows_per_s(),
            if r.ok() { "OK" } else { "FAILED" }
        );
    }
    for r in runs {
        println!(
            "\n{} latency (ms):\n\n| request | count | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|",
            r.backend
        );
        for o in [Some(&r.baseline), r.commits.as_ref(), Some(&r.load)]
            .into_iter()
            .flatten()
        {
            for (kind, n, p50, p95, p99, max) in latency_rows(o) {
                println!("| {kind} | {n} | {p50:.2} | {p95:.2} | {p99:.2} | {max:.2} |");
            }
        }
    }
}
