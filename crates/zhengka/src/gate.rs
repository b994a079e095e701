//! `zhengka gate keygen`: a gate's key pair. The private key stays on the
//! gate (mode 0600); the admin registers the public one
//! (`POST /api/v1/relying-parties/{id}/gates`).

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use zhengka_credential::SigningKey;
use zhengka_credential::gate::{algorithm_named, public_key_text, signing_key_text};

pub const KEY_FILE: &str = "gate.key";
pub const PUBLIC_FILE: &str = "gate.pub";

#[derive(Subcommand)]
pub enum GateCommand {
    /// Write a new key pair: DIR/gate.key (private, 0600) and DIR/gate.pub
    /// (ALG:hex, to register); refuses to overwrite a key.
    Keygen {
        #[arg(long)]
        out: PathBuf,
        /// EdDSA (Ed25519), ES256 or SM2-SM3.
        #[arg(long, default_value = "EdDSA")]
        alg: String,
    },
}

pub fn run(command: &GateCommand) -> anyhow::Result<()> {
    match command {
        GateCommand::Keygen { out, alg } => keygen(out, alg),
    }
}

fn keygen(out: &Path, alg: &str) -> anyhow::Result<()> {
    let alg = algorithm_named(alg)
        .with_context(|| format!("unknown algorithm {alg}: EdDSA, ES256 or SM2-SM3"))?;
    let key = SigningKey::generate(alg).map_err(|e| anyhow::anyhow!("{e}"))?;
    fs::create_dir_all(out)?;
    let path = out.join(KEY_FILE);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(&path).with_context(|| {
        format!(
            "cannot create {} (a key is never overwritten)",
            path.display()
        )
    })?;
    writeln!(file, "{}", signing_key_text(&key))?;
    file.sync_all()?;
    let public = public_key_text(key.public_key());
    let pub_path = out.join(PUBLIC_FILE);
    fs::write(&pub_path, format!("{public}\n"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&pub_path, fs::Permissions::from_mode(0o644))?;
    }
    println!("{public}");
    Ok(())
}

/// The gate's private key from its file.
pub fn load_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    zhengka_credential::gate::parse_signing_key(&text)
        .map_err(|e| anyhow::anyhow!("{}: not a gate key ({e})", path.display()))
}
