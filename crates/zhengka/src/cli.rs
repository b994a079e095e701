use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::data_dir::DataDir;

/// zhengka (证卡): foreigners' work permits integrated with social security cards.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// Where the SQLite database and the keys live; created on first start.
    #[arg(long, env = "ZHENGKA_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB. Default: the
    /// SQLite file zhengka.db in the data directory.
    #[arg(
        long,
        env = "ZHENGKA_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve {
        #[arg(long, env = "ZHENGKA_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Fill an empty database with demo employers, users and applications.
        #[arg(long)]
        demo: bool,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Fill an empty database with demo data and print how to sign in.
    Demo,
    /// Check the audit trail's hash chain.
    AuditVerify,
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Add a user; the password is read from standard input.
    Add {
        #[arg(long)]
        role: String,
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// The employer an employer_agent acts for.
        #[arg(long)]
        employer_uscc: Option<String>,
        /// The region an officer works in (GB/T 2260 code).
        #[arg(long)]
        region_code: Option<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let dir = DataDir::open(&cli.data_dir)?;
    let url = cli.database_url.clone().unwrap_or_else(|| dir.sqlite_url());
    match cli.command {
        Command::Serve { bind, demo } => crate::serve::run(&dir, &url, bind, demo).await,
        Command::Migrate => {
            let store = dir.connect(&url).await?;
            store.close().await;
            println!("schema is up to date");
            Ok(())
        }
        Command::Users { command } => crate::users::run(&dir, &url, command).await,
        Command::Demo => {
            let store = dir.connect(&url).await?;
            crate::demo::fill(std::sync::Arc::new(store)).await
        }
        Command::AuditVerify => {
            let store = dir.connect(&url).await?;
            let report = zhengka_store::Store::verify_audit_chain(&store).await?;
            println!("{}", serde_json::to_string(&report)?);
            anyhow::ensure!(report.broken_at.is_none(), "the audit chain is broken");
            Ok(())
        }
    }
}
