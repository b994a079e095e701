//! The data directory: the SQLite file and the key material, created on first
//! start with permissions only the service user can read.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use zhengka_store::{SqlStore, Vault};

pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn open(root: &Path) -> anyhow::Result<Self> {
        fs::create_dir_all(root.join("keys"))
            .with_context(|| format!("cannot create data directory {}", root.display()))?;
        restrict(&root.join("keys"), 0o700)?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.root.join("zhengka.db").display())
    }

    /// The store key, generated on first use. Lose it and the encrypted
    /// personal data is gone: back it up with the database.
    pub fn store_vault(&self) -> anyhow::Result<Vault> {
        let path = self.root.join("keys").join("store.key");
        if !path.exists() {
            let hex: String = Vault::generate_key_material()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            write_private(&path, hex.as_bytes())?;
            tracing::info!(path = %path.display(), "generated store key");
        }
        let text =
            fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let bytes = decode_hex(text.trim()).context("store.key is not hex")?;
        Ok(Vault::from_key_material(&bytes)?)
    }

    pub async fn connect(&self, url: &str) -> anyhow::Result<SqlStore> {
        let vault = self.store_vault()?;
        SqlStore::connect(url, vault)
            .await
            .context("cannot open the database")
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Create (or truncate) a file for personal data, such as an export: mode 0600
/// even when the umask is wider, and narrowed to it if the file was there.
pub fn create_private(path: &Path) -> anyhow::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    restrict(path, 0o600)?;
    Ok(file)
}

fn restrict(path: &Path, mode: u32) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    let _ = (path, mode);
    Ok(())
}
