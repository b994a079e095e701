//! `zhengka-loadgen`: concurrent clients against a real zhengka server, then a
//! check of every acknowledged write against the database.
#![forbid(unsafe_code)]

mod cli;
mod client;
mod commits;
mod report;
mod scale;
mod setup;
mod verify;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::cli::{BASELINE_SECONDS, BackendChoice, Cli};
use crate::report::Run;

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    if let Some(cli::Command::Scale(args)) = &cli.command {
        scale::run(args).await?;
        return Ok(ExitCode::SUCCESS);
    }
    anyhow::ensure!(
        cli.clients > 0 && cli.seconds > 0,
        "--clients and --seconds must be positive"
    );
    let backends: &[&str] = match (&cli.target, cli.backend) {
        (Some(_), _) => &["target"],
        (None, BackendChoice::Sqlite) => &["sqlite"],
        (None, BackendChoice::Postgres) => &["postgres"],
        (None, BackendChoice::Both) => &["sqlite", "postgres"],
    };
    let mut runs = vec![];
    for backend in backends {
        runs.push(run(&cli, backend).await?);
    }
    if cli.release_note {
        report::markdown(&runs);
    }
    let mismatch = runs.iter().any(|r| !r.ok());
    let errors = runs.iter().any(|r| !r.load.errors.is_empty());
    println!(
        "\nresult: {}",
        match (mismatch, errors) {
            (true, _) => "MISMATCH between acknowledged writes and the database",
            (false, true) => "verified, but some requests got unexpected answers",
            (false, false) => "verified, no unexpected answers",
        }
    );
    Ok(if mismatch {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn run(cli: &Cli, backend: &str) -> anyhow::Result<Run> {
    let env = match (&cli.target, &cli.admin_password) {
        (Some(url), Some(password)) => setup::target(url, password, cli.clients).await?,
        _ => setup::in_process(backend, cli.database_url.as_deref(), cli.clients).await?,
    };
    eprintln!(
        "{}: server at {}, {} clients",
        env.backend, env.api.base, cli.clients
    );
    let base_secs = BASELINE_SECONDS.min(cli.seconds);
    let baseline = client::baseline(&env.api, cli.clients, Duration::from_secs(base_secs)).await;
    let commits = match &env.database_url {
        Some(url) => {
            let d = Duration::from_secs(base_secs);
            Some(commits::bare_commits(url, cli.clients, d).await?)
        }
        None => None,
    };
    eprintln!(
        "{}: baseline done, workload for {} s",
        env.backend, cli.seconds
    );
    let load = client::workload(
        &env.api,
        &env.actors,
        cli.clients,
        Duration::from_secs(cli.seconds),
    )
    .await;
    eprintln!("{}: workload done, verifying", env.backend);
    let verification = verify::verify(&env.source, &load, &env.employer_ids, env.exclusive).await;
    let verification = match verification {
        Ok(v) => Some(v),
        Err(e) => {
            eprintln!("{}: verification could not run: {e:#}", env.backend);
            None
        }
    };
    let run = Run {
        backend: env.backend.clone(),
        clients: cli.clients,
        baseline,
        commits,
        load,
        verification,
    };
    report::print(&run);
    env.teardown(!run.ok()).await?;
    Ok(run)
}
