//! `zhengka`: run the platform and administer it.
#![forbid(unsafe_code)]

mod cards;
mod cli;
mod data_dir;
mod demo;
mod demo_cards;
mod demo_services;
mod deployment;
mod gate;
mod keyring;
mod keys;
mod scan;
mod serve;
mod trust;
mod users;
mod verify;
mod verify_regions;
mod verify_sync;

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Whatever this process creates (the database and its WAL and SHM files,
    // exports, keys, the first admin's password) is for the service user alone.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::RWXG | rustix::fs::Mode::RWXO);
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    init_logs(cli.log_format);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(cli::run(cli))
}

/// Logs go to stderr. Colour codes only on a terminal: in a journal or a file
/// they are noise that breaks grep.
fn init_logs(format: cli::LogFormat) {
    use std::io::IsTerminal;
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZHENGKA_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr);
    match format {
        cli::LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
        cli::LogFormat::Json => logs.json().init(),
    }
}
