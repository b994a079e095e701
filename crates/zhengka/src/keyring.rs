//! Signing keys on disk: the trust anchor and one or more issuer keys per
//! region, generated on first start (mode 0600), never committed. A rotated key
//! stops signing but stays in the trust list, so what it signed keeps verifying
//! until it expires.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::Utc;
use serde_json::{Value, json};
use zhengka_credential::{Algorithm, IssuerKey, Pkcs8, SigningKey};
use zhengka_server::credentials::{Credentials, issuer_key};

use crate::data_dir::write_private;

/// How long a new issuer key signs before it should be rotated.
const SIGNING_YEARS: i64 = 2;

pub struct StoredKey {
    pub path: PathBuf,
    pub key: SigningKey,
    pub entry: IssuerKey,
}

pub fn parse_alg(name: &str) -> anyhow::Result<Algorithm> {
    Algorithm::ALL
        .into_iter()
        .find(|a| {
            a.name().eq_ignore_ascii_case(name)
                || (name.eq_ignore_ascii_case("sm2") && *a == Algorithm::Sm2Sm3)
        })
        .with_context(|| format!("unknown algorithm {name}: use ES256, SM2-SM3 or EdDSA"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(s: &str) -> anyhow::Result<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).context("odd hex")?, 16).context("bad hex"))
        .collect()
}

fn save(path: &Path, key: &SigningKey, extra: Value) -> anyhow::Result<()> {
    let mut doc = json!({ "alg": key.alg().name(), "pkcs8": hex(key.to_pkcs8().as_der()) });
    if let (Value::Object(d), Value::Object(e)) = (&mut doc, extra) {
        d.extend(e);
    }
    if path.exists() {
        fs::remove_file(path)?;
    }
    write_private(path, serde_json::to_string_pretty(&doc)?.as_bytes())
}

fn load(path: &Path) -> anyhow::Result<(SigningKey, Value)> {
    let doc: Value = serde_json::from_str(&fs::read_to_string(path)?)
        .with_context(|| format!("{} is not JSON", path.display()))?;
    let alg = parse_alg(doc["alg"].as_str().context("alg missing")?)?;
    let der = unhex(doc["pkcs8"].as_str().context("pkcs8 missing")?)?;
    let key = SigningKey::from_pkcs8(alg, &Pkcs8::from_der(der))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok((key, doc))
}

pub struct Keyring {
    dir: PathBuf,
}

impl Keyring {
    pub fn open(keys_dir: &Path) -> anyhow::Result<Self> {
        let dir = keys_dir.join("issuers");
        fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    fn anchor_path(&self) -> PathBuf {
        self.dir.with_file_name("trust-anchor.json")
    }

    /// The trust anchor, made if missing (`serve` and `keys rotate` only).
    fn ensure_anchor(&self, alg: Algorithm) -> anyhow::Result<()> {
        let path = self.anchor_path();
        if !path.exists() {
            let key = SigningKey::generate(alg).map_err(|e| anyhow::anyhow!("{e}"))?;
            save(&path, &key, json!({}))?;
            tracing::info!(path = %path.display(), "generated trust anchor key");
        }
        Ok(())
    }

    fn keys_dir(&self) -> &Path {
        self.dir.parent().unwrap_or(&self.dir)
    }

    /// The error for a data directory without keys.
    pub fn missing(&self) -> anyhow::Error {
        anyhow::anyhow!(
            "no signing keys in {}: run `zhengka serve` once or `zhengka keys rotate`",
            self.keys_dir().display()
        )
    }

    pub fn anchor(&self) -> anyhow::Result<SigningKey> {
        let path = self.anchor_path();
        if !path.exists() {
            return Err(self.missing());
        }
        Ok(load(&path)?.0)
    }

    pub fn issuers(&self) -> anyhow::Result<Vec<StoredKey>> {
        let mut keys = vec![];
        for file in fs::read_dir(&self.dir)? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "json") {
                let (key, doc) = load(&path)?;
                let region = doc["region"].as_str().context("region missing")?;
                let (from, to) = (
                    doc["valid_from"].as_i64().unwrap_or(0),
                    doc["valid_to"].as_i64().unwrap_or(0),
                );
                let entry = issuer_key(key.public_key().clone(), region, from, to);
                keys.push(StoredKey { path, key, entry });
            }
        }
        keys.sort_by_key(|k| k.entry.valid_from);
        Ok(keys)
    }

    pub fn generate_issuer(&self, region: &str, alg: Algorithm, now: i64) -> anyhow::Result<()> {
        let key = SigningKey::generate(alg).map_err(|e| anyhow::anyhow!("{e}"))?;
        let valid_to = now + SIGNING_YEARS * 365 * 24 * 3600;
        let path = self
            .dir
            .join(format!("{}.json", hex(&key.public_key().kid().0)));
        save(
            &path,
            &key,
            json!({ "region": region, "valid_from": now, "valid_to": valid_to }),
        )?;
        tracing::info!(region, alg = alg.name(), "generated issuer key");
        Ok(())
    }

    /// End the current key's signing window now and start a new key.
    pub fn rotate(&self, region: &str, alg: Algorithm, now: i64) -> anyhow::Result<()> {
        self.ensure_anchor(alg)?;
        for k in self.issuers()? {
            if k.entry.region == region && k.entry.valid_to > now {
                let doc =
                    json!({ "region": region, "valid_from": k.entry.valid_from, "valid_to": now });
                save(&k.path, &k.key, doc)?;
            }
        }
        self.generate_issuer(region, alg, now)
    }

    /// Make the trust anchor and a current issuer key for `region` where there
    /// are none: what `serve` does on first start (or once a key's window ended).
    pub fn ensure(&self, region: &str, alg: Algorithm, now: i64) -> anyhow::Result<()> {
        self.ensure_anchor(alg)?;
        if current(&self.issuers()?, region, now).is_none() {
            self.generate_issuer(region, alg, now)?;
        }
        Ok(())
    }

    /// The credentials the server signs with, read from disk. Nothing is made
    /// here: a missing key is an error, never a silent new key.
    pub fn credentials(&self, region: &str) -> anyhow::Result<Credentials> {
        let now = Utc::now().timestamp();
        let mut keys = self.issuers()?;
        if keys.is_empty() {
            return Err(self.missing());
        }
        let anchor = self.anchor()?;
        let Some(i) = current(&keys, region, now) else {
            bail!(
                "no issuer key for region {region} signs now in {}: run `zhengka keys rotate`",
                self.keys_dir().display()
            )
        };
        let entries = keys.iter().map(|k| k.entry.clone()).collect();
        let issuer = keys.swap_remove(i).key;
        Credentials::new(region, issuer, anchor, entries).map_err(|e| anyhow::anyhow!(e))
    }
}

/// The newest key of `region` whose signing window holds `now`.
fn current(keys: &[StoredKey], region: &str, now: i64) -> Option<usize> {
    keys.iter().rposition(|k| {
        k.entry.region == region && k.entry.valid_from <= now && now < k.entry.valid_to
    })
}
