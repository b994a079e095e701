//! `zhengka keys list|rotate|export-public`.

use std::fs;

use chrono::{DateTime, Utc};
use zhengka_store::Store;

use crate::cli::{KeyOptions, KeysCommand};
use crate::data_dir::DataDir;
use crate::deployment::Deployment;
use crate::keyring::Keyring;

fn date(ts: i64) -> String {
    DateTime::<Utc>::from_timestamp(ts, 0).map_or_else(
        || ts.to_string(),
        |d| d.format("%Y-%m-%d %H:%M").to_string(),
    )
}

pub async fn run(
    dir: &DataDir,
    url: &str,
    opts: &KeyOptions,
    command: KeysCommand,
) -> anyhow::Result<()> {
    let ring = Keyring::open(&dir.keys_dir())?;
    let now = Utc::now().timestamp();
    match command {
        KeysCommand::List => {
            let creds = Deployment::required(dir, opts)?.credentials(dir)?;
            println!("trust anchor  {:?}", creds.anchor_public());
            for k in ring.issuers()? {
                let state = if k.entry.valid_from <= now && now < k.entry.valid_to {
                    "signing"
                } else {
                    "retired"
                };
                println!(
                    "issuer {}  {}  region {}  {} .. {}  {state}",
                    k.entry
                        .kid()
                        .0
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>(),
                    k.key.alg().name(),
                    k.entry.region,
                    date(k.entry.valid_from),
                    date(k.entry.valid_to),
                );
            }
        }
        KeysCommand::Rotate => {
            let deployment = Deployment::establish(dir, opts)?;
            ring.rotate(&deployment.issuer_region, deployment.signing_alg, now)?;
            println!("rotated: restart the server to sign with the new key and publish it");
        }
        KeysCommand::ExportPublic { out } => {
            let creds = Deployment::required(dir, opts)?.credentials(dir)?;
            fs::create_dir_all(&out)?;
            fs::write(out.join("trust-list.cose"), creds.trust_list(now))?;
            let anchor = creds.anchor_public();
            let hex: String = anchor
                .as_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            fs::write(
                out.join("trust-anchor.pub"),
                format!("{}:{hex}\n", anchor.alg().name()),
            )?;
            let store = dir.connect(url).await?;
            let store = &store as &dyn Store;
            fs::write(
                out.join("status-list.cose"),
                creds.publish(store, now).await?,
            )?;
            // Cards (2) and the device credentials that presentations carry (3):
            // a gate verifying e-card presentations offline needs list 3.
            fs::write(
                out.join("card-status-list.cose"),
                creds.card_status_list(store, now).await?,
            )?;
            fs::write(
                out.join("device-status-list.cose"),
                creds.device_status_list(store, now).await?,
            )?;
            println!(
                "wrote trust-list.cose, trust-anchor.pub, status-list.cose (permits), \
                 card-status-list.cose and device-status-list.cose to {}",
                out.display()
            );
        }
    }
    Ok(())
}
