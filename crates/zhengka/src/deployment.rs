//! The deployment's settings (issuer region, signing algorithm), recorded in
//! `DATA_DIR/deployment.json` (mode 0600) by the first `serve` or `keys rotate`.
//! Every other command reads them from there, so that running `keys list` with
//! other (or default) flags can never make a key the deployment does not use; a
//! flag that contradicts the record is an error.

use std::fs;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use zhengka_credential::Algorithm;
use zhengka_server::credentials::Credentials;

use crate::cli::KeyOptions;
use crate::data_dir::{DataDir, write_private};
use crate::keyring::{Keyring, parse_alg};

/// Used when the first `serve` is given neither flag and finds no key.
const DEFAULT_REGION: &str = "440000";
const DEFAULT_ALG: Algorithm = Algorithm::Es256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub issuer_region: String,
    pub signing_alg: Algorithm,
}

fn path(dir: &DataDir) -> PathBuf {
    dir.path().join("deployment.json")
}

impl Deployment {
    /// For `serve` and `keys rotate`: the recorded settings (checked against
    /// the flags), or, on first start, the flags' (else the existing keys',
    /// else the defaults), recorded now.
    pub fn establish(dir: &DataDir, opts: &KeyOptions) -> anyhow::Result<Self> {
        if let Some(recorded) = Self::recorded(dir, opts)? {
            return Ok(recorded);
        }
        let existing = Keyring::open(&dir.keys_dir())?.issuers()?.pop();
        let issuer_region = match (&opts.issuer_region, &existing) {
            (Some(region), _) => region.clone(),
            (None, Some(key)) => key.entry.region.clone(),
            (None, None) => DEFAULT_REGION.to_owned(),
        };
        zhengka_domain::ids::RegionCode::parse(&issuer_region)
            .map_err(|e| anyhow::anyhow!("--issuer-region: {e}"))?;
        let signing_alg = match (&opts.signing_alg, &existing) {
            (Some(alg), _) => parse_alg(alg)?,
            (None, Some(key)) => key.key.alg(),
            (None, None) => DEFAULT_ALG,
        };
        let this = Self {
            issuer_region,
            signing_alg,
        };
        let doc =
            json!({ "issuer_region": this.issuer_region, "signing_alg": this.signing_alg.name() });
        write_private(&path(dir), serde_json::to_string_pretty(&doc)?.as_bytes())?;
        tracing::info!(region = %this.issuer_region, alg = this.signing_alg.name(), "recorded the deployment's settings");
        Ok(this)
    }

    /// The recorded settings, if any; an error when a flag contradicts them.
    pub fn recorded(dir: &DataDir, opts: &KeyOptions) -> anyhow::Result<Option<Self>> {
        let path = path(dir);
        if !path.exists() {
            return Ok(None);
        }
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        let field = |name: &str| {
            doc[name]
                .as_str()
                .with_context(|| format!("{}: {name} missing", path.display()))
        };
        let this = Self {
            issuer_region: field("issuer_region")?.to_owned(),
            signing_alg: parse_alg(field("signing_alg")?)?,
        };
        if let Some(region) = opts
            .issuer_region
            .as_ref()
            .filter(|r| **r != this.issuer_region)
        {
            bail!(
                "--issuer-region {region} contradicts this deployment's {} (recorded in {})",
                this.issuer_region,
                path.display()
            );
        }
        if let Some(alg) = &opts.signing_alg
            && parse_alg(alg)? != this.signing_alg
        {
            bail!(
                "--signing-alg {alg} contradicts this deployment's {} (recorded in {})",
                this.signing_alg.name(),
                path.display()
            );
        }
        Ok(Some(this))
    }

    /// For every command but `serve` and `keys rotate`: the recorded settings,
    /// or a clear error on a data directory that has never served.
    pub fn required(dir: &DataDir, opts: &KeyOptions) -> anyhow::Result<Self> {
        if let Some(this) = Self::recorded(dir, opts)? {
            return Ok(this);
        }
        let ring = Keyring::open(&dir.keys_dir())?;
        if ring.issuers()?.is_empty() {
            return Err(ring.missing());
        }
        bail!(
            "the deployment's settings are not recorded in {}: run `zhengka serve` once \
             (it records them)",
            path(dir).display()
        )
    }

    /// The keys in use, read from disk; never made here.
    pub fn credentials(&self, dir: &DataDir) -> anyhow::Result<Credentials> {
        Keyring::open(&dir.keys_dir())?.credentials(&self.issuer_region)
    }

    /// Make the trust anchor and a current issuer key if there are none
    /// (`serve` only).
    pub fn ensure_keys(&self, dir: &DataDir, now: i64) -> anyhow::Result<()> {
        Keyring::open(&dir.keys_dir())?.ensure(&self.issuer_region, self.signing_alg, now)
    }
}
