//! The offline kit around `zhengka verify`: `verify sync` keeps a lists
//! directory fresh from a server, `--lists DIR --max-age S` verifies against
//! it (refusing stale lists), the gate profile keeps a replay cache on disk
//! and a log of verdicts, and `verify upload` sends that log as signed
//! batches. The work is done by `zhengka_credential::{lists_dir, gate,
//! gate_files}`; this is the command line and HTTP around it.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Subcommand;
use zhengka_credential::gate::{LogEntry, MAX_BATCH_ENTRIES, parse_public_key, sign_batch};
use zhengka_credential::gate_files::{ReplayFile, append_log, mark_uploaded, pending};
use zhengka_credential::lists_dir::{self, Lists, ListsError};
use zhengka_credential::{Body, Policy, Purpose, Rejection, StatusList, TrustList, Verified};
use zhengka_server::providers::outgoing::{OutgoingTls, describe};

/// The status lists a server publishes: permits, cards, device credentials.
const STATUS_LISTS: [&str; 3] = ["1", "2", "3"];
/// Exit status when the lists are too old (or missing): fail closed.
pub const EXIT_STALE: i32 = 3;
/// Nonces a gate holds at most (100 presentations a second for 35 s, twice).
const REPLAY_CAPACITY: usize = 7_000;

#[derive(Subcommand)]
pub enum VerifyAction {
    /// Download the trust list and status lists 1-3 into DIR, checked against
    /// the trust anchor before the old files are replaced.
    Sync {
        /// The server's base URL (http(s)://host:port).
        #[arg(long)]
        server: String,
        /// The lists directory (then `zhengka verify --lists DIR`).
        #[arg(long)]
        dir: PathBuf,
        /// The trust anchor (`trust-anchor.pub`, ALG:hex), obtained out of
        /// band; pinned into DIR, which later syncs use without it.
        #[arg(long)]
        anchor: Option<PathBuf>,
        #[command(flatten)]
        tls: TlsArgs,
    },
    /// Upload the gate's log (what was not uploaded yet) as signed batches.
    Upload {
        /// The server's base URL.
        #[arg(long)]
        server: String,
        /// The gate's registered id.
        #[arg(long)]
        gate: String,
        /// The gate's private key (`zhengka gate keygen`).
        #[arg(long)]
        gate_key: PathBuf,
        /// The log `zhengka verify --log` wrote; FILE.uploaded marks how far
        /// the server has it.
        #[arg(long)]
        log: PathBuf,
        /// The organisation's API credential (optional: the signature
        /// authenticates the gate).
        #[arg(long, env = "ZHENGKA_RP_TOKEN")]
        token: Option<String>,
        #[command(flatten)]
        tls: TlsArgs,
    },
}

/// Whom an `https://` server's certificate may chain to.
#[derive(clap::Args)]
pub struct TlsArgs {
    /// CA certificates (a PEM bundle) trusted besides the platform's root
    /// store, for a server whose certificate a private CA issued.
    #[arg(long, env = "ZHENGKA_TLS_CA_FILE")]
    tls_ca_file: Option<PathBuf>,
}

/// How long a request to the server may take.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

impl TlsArgs {
    fn client(&self) -> anyhow::Result<reqwest::Client> {
        OutgoingTls::new(self.tls_ca_file.as_deref())
            .and_then(|tls| tls.client(TIMEOUT))
            .map_err(anyhow::Error::msg)
    }
}

/// Where `zhengka verify` takes its lists from and what a gate keeps.
#[derive(clap::Args)]
pub struct OfflineArgs {
    /// A directory kept by `zhengka verify sync` (instead of --trust-list,
    /// --trust-anchor and --status-list).
    #[arg(long, conflicts_with_all = ["trust_list", "trust_anchor", "status_list"])]
    pub lists: Option<PathBuf>,
    /// Refuse (exit 3) when a status list in --lists was issued more than
    /// this many seconds ago (by its own issued-at time).
    #[arg(long, requires = "lists")]
    pub max_age: Option<i64>,
    /// Gate profile: this gate's id. Its replay cache and log default to
    /// gate-ID.replay and gate-ID.log in the --lists directory.
    #[arg(long)]
    pub gate: Option<String>,
    /// Accepted presentations' nonces, kept across restarts.
    #[arg(long)]
    pub replay_cache: Option<PathBuf>,
    /// Append each verdict to this log (uploaded by `verify upload`).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// The verification purpose logged (the gate's registered purpose).
    #[arg(long, default_value = "transit")]
    pub log_purpose: String,
}

/// The lists to verify against: from the directory, or `None` to read the
/// separate files as before. Stale or missing lists end the process.
pub fn lists(args: &OfflineArgs, now: i64) -> Option<(TrustList, Vec<StatusList>)> {
    let dir = args.lists.as_ref()?;
    match lists_dir::load(dir, now, args.max_age) {
        Ok(Lists { trust, status, .. }) => {
            Some((trust, status.into_iter().map(|(_, l)| l).collect()))
        }
        Err(e @ (ListsError::Stale { .. } | ListsError::NoStatusList)) => {
            eprintln!("refused: {e}; run `zhengka verify sync`");
            std::process::exit(EXIT_STALE);
        }
        Err(e) => {
            eprintln!("refused: the lists in {}: {e}", dir.display());
            std::process::exit(EXIT_STALE);
        }
    }
}

/// The gate's state: the replay cache on disk and the log.
pub struct Gate {
    replay: Option<ReplayFile>,
    log: Option<PathBuf>,
    log_purpose: String,
    kind: &'static str,
}

fn kind_of(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Notice => "notice",
        Purpose::Presentation => "presentation",
        Purpose::CardInstall => "card",
    }
}

impl Gate {
    /// `None` when no gate option is given (plain verification).
    pub fn open(
        args: &OfflineArgs,
        purpose: Purpose,
        now: i64,
    ) -> anyhow::Result<Option<RefCell<Gate>>> {
        let dir = args.lists.clone().unwrap_or_else(|| PathBuf::from("."));
        let default = |ext: &str| {
            args.gate
                .as_ref()
                .map(|g| dir.join(format!("gate-{g}.{ext}")))
        };
        let replay_path = args.replay_cache.clone().or_else(|| default("replay"));
        let log = args.log.clone().or_else(|| default("log"));
        if replay_path.is_none() && log.is_none() {
            return Ok(None);
        }
        zhengka_domain::verification::VerificationPurpose::parse(&args.log_purpose)
            .map_err(|e| anyhow::anyhow!("--log-purpose: {}", e.message))?;
        let replay = match (&replay_path, purpose) {
            (Some(p), Purpose::Presentation) => Some(
                ReplayFile::open(p, &Policy::default(), REPLAY_CAPACITY, now)
                    .with_context(|| format!("cannot open the replay cache {}", p.display()))?,
            ),
            _ => None,
        };
        Ok(Some(RefCell::new(Gate {
            replay,
            log,
            log_purpose: args.log_purpose.clone(),
            kind: kind_of(purpose),
        })))
    }

    /// The verdict after the replay cache, logged before it is given. A
    /// replayed presentation is logged with the permit it names (its holder
    /// sees the attempt).
    pub fn judge(
        &mut self,
        verdict: Result<Verified, Rejection>,
        now: i64,
    ) -> anyhow::Result<Result<Verified, Rejection>> {
        let permit_number = verdict.as_ref().ok().and_then(|v| match &v.claims.body {
            Body::Notice { facts, .. } | Body::Card { facts, .. } => {
                Some(facts.permit_number.clone())
            }
            Body::Presentation { .. } => None,
        });
        let verdict = match (verdict, &mut self.replay) {
            (Ok(v), Some(cache)) => match &v.presented {
                Some((iat, nonce)) => cache.check_and_insert(nonce, *iat, now)?.map(|()| v),
                None => Ok(v),
            },
            (other, _) => other,
        };
        if let Some(log) = &self.log {
            append_log(log, &self.entry(&verdict, permit_number, now))
                .with_context(|| format!("cannot write the log {}", log.display()))?;
        }
        Ok(verdict)
    }

    fn entry(
        &self,
        verdict: &Result<Verified, Rejection>,
        permit_number: Option<String>,
        now: i64,
    ) -> LogEntry {
        let mut id = [0u8; 16];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut id)
            .expect("the system random generator");
        LogEntry {
            id: id.iter().map(|b| format!("{b:02x}")).collect(),
            at: now,
            permit_number,
            purpose: self.log_purpose.clone(),
            credential_kind: self.kind.to_owned(),
            result: if verdict.is_ok() { "valid" } else { "rejected" }.to_owned(),
            reason: verdict.as_ref().err().map(|r| r.code().to_owned()),
        }
    }
}

pub async fn run(action: &VerifyAction) -> anyhow::Result<()> {
    match action {
        VerifyAction::Sync {
            server,
            dir,
            anchor,
            tls,
        } => sync(&tls.client()?, server, dir, anchor.as_deref()).await,
        VerifyAction::Upload {
            server,
            gate,
            gate_key,
            log,
            token,
            tls,
        } => {
            let client = tls.client()?;
            upload(&client, server, gate, gate_key, log, token.as_deref()).await
        }
    }
}

async fn fetch(client: &reqwest::Client, url: String) -> anyhow::Result<Vec<u8>> {
    let res = client
        .get(&url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("cannot reach {url}: {}", describe(&e)))?;
    anyhow::ensure!(res.status().is_success(), "{url} answered {}", res.status());
    Ok(res.bytes().await?.to_vec())
}

async fn sync(
    client: &reqwest::Client,
    server: &str,
    dir: &Path,
    anchor: Option<&Path>,
) -> anyhow::Result<()> {
    let anchor = match anchor {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Some(parse_public_key(&text).map_err(|e| anyhow::anyhow!("trust anchor: {e}"))?)
        }
        None => None,
    };
    let base = server.trim_end_matches('/');
    let trust = fetch(client, format!("{base}/api/v1/trust-list")).await?;
    let mut status = Vec::new();
    for id in STATUS_LISTS {
        let bytes = fetch(client, format!("{base}/api/v1/status-lists/{id}")).await?;
        status.push((id.to_owned(), bytes));
    }
    let now = chrono::Utc::now().timestamp();
    let lists = lists_dir::install(dir, anchor.as_ref(), &trust, &status, now)
        .map_err(|e| anyhow::anyhow!("nothing replaced: {e}"))?;
    println!(
        "synced {}: trust list seq {}, status lists {} issued {} s ago",
        dir.display(),
        lists.trust.seq,
        STATUS_LISTS.join(", "),
        now - lists.oldest_status().unwrap_or(now)
    );
    Ok(())
}

async fn upload(
    client: &reqwest::Client,
    server: &str,
    gate: &str,
    key: &Path,
    log: &Path,
    token: Option<&str>,
) -> anyhow::Result<()> {
    let key = crate::gate::load_key(key)?;
    let now = chrono::Utc::now().timestamp();
    let oldest = now - zhengka_domain::verification::gate::MAX_OFFLINE_AGE_DAYS * 86_400 + 60;
    let (mut entries, mut skipped) = (Vec::new(), 0);
    let mut last = None;
    for p in pending(log).with_context(|| format!("cannot read {}", log.display()))? {
        match p.entry {
            Ok(e) if e.at >= oldest => entries.push((e, p.end)),
            // Torn by a crash, or older than the server takes: never uploadable.
            _ => skipped += 1,
        }
        last = Some(p.end);
    }
    let url = format!(
        "{}/api/v1/verifications/batch",
        server.trim_end_matches('/')
    );
    let (mut new, mut duplicate) = (0, 0);
    for chunk in entries.chunks(MAX_BATCH_ENTRIES) {
        let batch: Vec<LogEntry> = chunk.iter().map(|(e, _)| e.clone()).collect();
        let mut req = client
            .post(&url)
            .header("content-type", "application/cose")
            .body(sign_batch(&key, gate, now, &batch));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("cannot reach {url}: {}", describe(&e)))?;
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        if !status.is_success() {
            anyhow::bail!("upload refused ({status}): {body}; the log stays marked where it was");
        }
        new += body["new"].as_u64().unwrap_or(0);
        duplicate += body["duplicate"].as_u64().unwrap_or(0);
        mark_uploaded(log, chunk[chunk.len() - 1].1)?;
    }
    if let Some(end) = last {
        mark_uploaded(log, end)?;
    }
    println!(
        "uploaded {} entries: {new} new, {duplicate} already there, {skipped} skipped",
        entries.len()
    );
    Ok(())
}
