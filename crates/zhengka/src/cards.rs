//! `zhengka cards batch` and `zhengka cards import`: the production batch files
//! exchanged with the manufacturer and bank, run by a card officer on the
//! server (the same functions as the API; the officer is named in the audit).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use zhengka_domain::employer::Role;
use zhengka_server::api::cards::batches;
use zhengka_server::auth::Caller;
use zhengka_server::{AppState, Config};
use zhengka_store::Store;

use crate::data_dir::{DataDir, create_private};

#[derive(Subcommand)]
pub enum CardsCommand {
    /// Batch every applied card of the officer's region; write BATCH.jsonl and
    /// BATCH.manifest.json (mode 0600: they hold SSNs) into --out.
    Batch {
        /// The card officer this is done as (a username).
        #[arg(long)]
        officer: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a return file (JSON lines: card_number, chip_serial, bank_account):
    /// all lines or none; every bad line is listed.
    Import {
        #[arg(long)]
        officer: String,
        #[arg(long)]
        batch: String,
        /// The return file.
        file: PathBuf,
    },
}

/// Progress on stderr, drawn only on a terminal.
struct Progress {
    on: bool,
}

impl Progress {
    fn new() -> Self {
        Self {
            on: std::io::stderr().is_terminal(),
        }
    }

    fn step(&self, done: usize, of: usize, what: &str) {
        if !self.on {
            return;
        }
        let width = 30;
        let filled = (done * width).checked_div(of).unwrap_or(width);
        eprint!(
            "\r[{}{}] {done}/{of} {what}",
            "#".repeat(filled),
            " ".repeat(width - filled)
        );
        if done == of {
            eprintln!();
        }
    }
}

async fn officer(store: &dyn Store, username: &str) -> anyhow::Result<Caller> {
    let record = store
        .user_by_username(username)
        .await
        .with_context(|| format!("no user {username}"))?;
    if record.user.role != Role::CardOfficer {
        bail!("{username} is not a card officer");
    }
    Ok(Caller {
        user: record.user,
        token_hash: "cli".into(),
    })
}

pub async fn run(
    dir: &DataDir,
    url: &str,
    credentials: zhengka_server::credentials::Credentials,
    command: CardsCommand,
) -> anyhow::Result<()> {
    let store: Arc<dyn Store> = Arc::new(dir.connect(url).await?);
    let app = AppState::with_credentials(store, Config::default(), credentials);
    let progress = Progress::new();
    match command {
        CardsCommand::Batch { officer: name, out } => {
            let caller = officer(app.store.as_ref(), &name).await?;
            progress.step(0, 3, "batching applied cards");
            let (batch, reply) = batches::make_batch(&app, &caller, None)
                .await
                .map_err(anyhow::Error::msg)?;
            progress.step(1, 3, "writing the file");
            let (_, file) = app.store.get_batch(&batch.id).await?;
            write(&out.join(format!("{}.jsonl", batch.id)), &file)?;
            progress.step(2, 3, "writing the manifest");
            let manifest: serde_json::Value = serde_json::from_str(&reply.body)?;
            write(
                &out.join(format!("{}.manifest.json", batch.id)),
                serde_json::to_string_pretty(&manifest["manifest"])?.as_bytes(),
            )?;
            progress.step(3, 3, "done");
            println!(
                "batch {}: {} cards, sha256 {}",
                batch.id, batch.card_count, batch.sha256
            );
            Ok(())
        }
        CardsCommand::Import {
            officer: name,
            batch,
            file,
        } => {
            let caller = officer(app.store.as_ref(), &name).await?;
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
            progress.step(0, lines, "checking lines");
            match batches::import(&app, &caller, None, &batch, &text)
                .await
                .map_err(anyhow::Error::msg)?
            {
                Ok(_) => {
                    progress.step(lines, lines, "applied");
                    println!("batch {batch}: {lines} cards produced");
                    Ok(())
                }
                Err(errors) => {
                    for e in &errors {
                        let field = e.field.as_deref().unwrap_or("-");
                        eprintln!("line {}: {field}: {}: {}", e.line, e.code, e.message);
                    }
                    bail!("{} bad line(s); nothing was applied", errors.len())
                }
            }
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = create_private(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
