//! A kept scale database and what a later run needs to bench it again
//! without seeding (hours at 10 M holders): the store key its records are
//! sealed with and what was seeded, in one 0600 file beside it.

use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context;
use serde_json::json;
use zhengka_store::Vault;

use super::seed::Seeded;

/// What a kept database was seeded with.
pub struct Kept {
    pub url: String,
    pub key: Vec<u8>,
    pub seeded: Seeded,
}

/// Write `file` (0600: it holds the store key) for `url`.
pub fn save(file: &Path, url: &str, key: &[u8], s: &Seeded) -> anyhow::Result<()> {
    let body = json!({
        "url": url,
        "key": zhengka_store::vault::hex(key),
        "holders": s.holders,
        "status_entries": s.status_entries,
        "not_valid_entries": s.not_valid_entries,
        "devices": s.devices,
        "notifications": s.notifications,
        "seconds": s.seconds,
    });
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .with_context(|| format!("creating {}", file.display()))?;
    f.write_all(body.to_string().as_bytes())?;
    Ok(())
}

pub fn load(file: &Path) -> anyhow::Result<Kept> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text)?;
    let n = |k: &str| {
        v[k].as_u64()
            .with_context(|| format!("{k} in {}", file.display()))
    };
    let key = unhex(v["key"].as_str().context("key")?)?;
    Vault::from_key_material(&key)?;
    Ok(Kept {
        url: v["url"].as_str().context("url")?.to_owned(),
        key,
        seeded: Seeded {
            holders: n("holders")?,
            status_entries: n("status_entries")?,
            not_valid_entries: n("not_valid_entries")?,
            devices: n("devices")?,
            notifications: n("notifications")?,
            seconds: v["seconds"].as_f64().unwrap_or(0.0),
        },
    })
}

fn unhex(s: &str) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).context("hex"))
        .collect()
}
