//! Command line.

use clap::{Parser, ValueEnum};

/// Load harness for zhengka: N concurrent clients file and decide applications
/// against a real server for a fixed time, then every acknowledged write is
/// checked against the database.
#[derive(Debug, Parser)]
#[command(version, about)]
pub struct Cli {
    /// `scale`: a bulk-generated database of N holders and its figures
    /// (status lists, e-card reads, verifications, the reminder sweep).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Which storage backend(s) to run the in-process server on.
    #[arg(long, value_enum, default_value = "sqlite")]
    pub backend: BackendChoice,

    /// PostgreSQL server for `--backend postgres|both`; a fresh database is
    /// created on it (and dropped after a clean run).
    #[arg(long, env = "ZHENGKA_TEST_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Concurrent clients (each one HTTP request at a time).
    #[arg(long, default_value_t = 16)]
    pub clients: usize,

    /// Duration of the workflow phase, in seconds.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,

    /// An already-running server on 127.0.0.1 (e.g. http://127.0.0.1:8080)
    /// instead of an in-process one. Verification then goes through its
    /// read API, restricted to the harness's own employers.
    #[arg(long, requires = "admin_password")]
    pub target: Option<String>,

    /// Password of the target server's `admin` user.
    #[arg(long, env = "ZHENGKA_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Also print the results as a Markdown table (for docs/performance.md).
    #[arg(long)]
    pub release_note: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    Scale(crate::scale::ScaleArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    Sqlite,
    Postgres,
    Both,
}

/// Employers set up per run, each with one agent; clients are spread over them.
pub const EMPLOYERS: usize = 4;
/// Seconds of `GET /healthz` for the baseline, at most.
pub const BASELINE_SECONDS: u64 = 5;
/// One create in this many is sent again with the same Idempotency-Key.
pub const RETRY_EVERY: u64 = 20;
