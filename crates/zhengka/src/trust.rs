//! `zhengka trust import`: pin a peer region from files (its trust anchor, its
//! signed trust list and status lists), for a deployment that cannot reach
//! the peer's URL. The lists are checked as a fetch is: signed by the anchor,
//! keys of one region only, not older than those kept.

use std::path::PathBuf;

use anyhow::Context;
use zhengka_server::api::verification::federation::{OfflineImport, import_offline};

use crate::data_dir::DataDir;
use crate::deployment::Deployment;

#[derive(clap::Subcommand)]
pub enum TrustCommand {
    /// Pin (or refresh) a peer region from its exported files.
    Import {
        /// The peer's trust anchor (`trust-anchor.pub`: `ALG:hex`).
        #[arg(long)]
        anchor: PathBuf,
        /// The peer's signed trust list (`trust-list.cose`).
        #[arg(long)]
        list: PathBuf,
        /// The peer's signed status lists (`GET /api/v1/status-lists/{1,2,3}`);
        /// repeat for each.
        #[arg(long)]
        status_list: Vec<PathBuf>,
        /// The peer's name, for a new peer (default: its region code).
        #[arg(long)]
        name: Option<String>,
        /// The oldest status list of the peer a verification accepts, in
        /// seconds (60 to 86400; default 86400), for a new peer.
        #[arg(long)]
        max_age: Option<i64>,
    },
}

fn read(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub async fn run(
    dir: &DataDir,
    url: &str,
    deployment: &Deployment,
    command: TrustCommand,
) -> anyhow::Result<()> {
    let TrustCommand::Import {
        anchor,
        list,
        status_list,
        name,
        max_age,
    } = command;
    let creds = deployment.credentials(dir)?;
    let store = dir.connect(url).await?;
    let anchor = String::from_utf8(read(&anchor)?).context("the anchor file is not text")?;
    let trust_list = read(&list)?;
    let status_lists = status_list
        .iter()
        .map(read)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let import = OfflineImport {
        anchor: &anchor,
        name: name.as_deref(),
        max_age_seconds: max_age,
        trust_list: &trust_list,
        status_lists: &status_lists,
    };
    let state = import_offline(&creds, &store, &import, "cli")
        .await
        .map_err(|e| anyhow::anyhow!("not imported: {e}"))?;
    let lists = zhengka_store::FederationStore::peer_status_lists(&store, &state.peer.id).await?;
    println!(
        "peer {} region {} pinned: trust list seq {}, {} status lists",
        state.peer.id,
        state.peer.region_code,
        state.trust_list.map_or(0, |t| t.1),
        lists.len()
    );
    store.close().await;
    Ok(())
}
