use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::data_dir::DataDir;
use crate::deployment::Deployment;

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
    /// Log lines on stderr as text (colour only on a terminal) or as one JSON
    /// object per line, for a log collector.
    #[arg(
        long,
        env = "ZHENGKA_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
    #[command(flatten)]
    pub keys: KeyOptions,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Outside services and the network in front of the server.
#[derive(clap::Args, Debug, Clone)]
pub struct OutsideServices {
    /// The real-person (liveness + face match) provider, protocol v1
    /// (`https://HOST:PORT` or `http://`; see docs/ecard.md).
    #[arg(long, env = "ZHENGKA_REAL_PERSON_URL")]
    pub real_person_url: Option<String>,
    /// Its bearer token.
    #[arg(long, env = "ZHENGKA_REAL_PERSON_TOKEN", hide_env_values = true)]
    pub real_person_token: Option<String>,
    /// The lowest match score that passes.
    #[arg(long, env = "ZHENGKA_REAL_PERSON_THRESHOLD", default_value_t = 0.8)]
    pub real_person_threshold: f64,
    /// The webhook (an email/SMS gateway) that holders' notifications are
    /// POSTed to, signed (`https://HOST:PORT/PATH` or `http://`; see
    /// docs/ecard.md).
    #[arg(
        long,
        env = "ZHENGKA_NOTIFY_WEBHOOK_URL",
        requires = "notify_webhook_secret"
    )]
    pub notify_webhook_url: Option<String>,
    /// The secret the webhook's HMAC-SHA-256 signatures are made with (at
    /// least 16 characters).
    #[arg(long, env = "ZHENGKA_NOTIFY_WEBHOOK_SECRET", hide_env_values = true)]
    pub notify_webhook_secret: Option<String>,
    /// NATS with JetStream (`nats://HOST:PORT`): every outbox event is also
    /// published to `zhengka.<region>.<type>`, its id as `Nats-Msg-Id`
    /// (see docs/verification.md, "Webhooks and NATS").
    #[arg(long, env = "ZHENGKA_NATS_URL")]
    pub nats_url: Option<String>,
    /// The header a trusted reverse proxy puts the client's address in
    /// (e.g. x-forwarded-for); without it the TCP peer is the client.
    #[arg(long, env = "ZHENGKA_CLIENT_ADDRESS_HEADER")]
    pub client_address_header: Option<String>,
    /// CA certificates (a PEM bundle) that outgoing https connections trust
    /// besides the platform's root store: agency webhooks, peer regions, the
    /// notification gateway and the real-person provider (e.g. a private
    /// government CA). Certificates are always verified.
    #[arg(long, env = "ZHENGKA_TLS_CA_FILE")]
    pub tls_ca_file: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the HTTP API.
    Serve {
        #[arg(long, env = "ZHENGKA_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Fill an empty database with demo employers, users and applications;
        /// without a real-person provider, the built-in demo one vouches for
        /// every e-card holder (and the pages say so).
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        outside: OutsideServices,
        #[command(flatten)]
        pages: PageOptions,
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
    /// Check the audit trail: its hash chain, and that the head matches the last
    /// event (a deleted tail). Exits non-zero when either fails.
    AuditVerify,
    /// Write every durable row to a JSON-lines file (move to another backend).
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Load an export into an empty database (same data directory keys).
    Import {
        #[arg(long = "in")]
        input: PathBuf,
    },
    /// Manage the signing keys (trust anchor, issuer keys).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Verify QR payloads offline against an exported trust list (and status list).
    Verify(Box<crate::verify::VerifyArgs>),
    /// An offline gate's key pair (`gate keygen`).
    Gate {
        #[command(subcommand)]
        command: crate::gate::GateCommand,
    },
    /// Region federation: pin another region's trust list from files.
    Trust {
        #[command(subcommand)]
        command: crate::trust::TrustCommand,
    },
    /// Physical cards: production batch files for the manufacturer and bank.
    Cards {
        #[command(subcommand)]
        command: crate::cards::CardsCommand,
    },
}

/// How pages and documents name the deployment's office.
#[derive(clap::Args, Clone)]
pub struct PageOptions {
    /// The issuing authority's name in Chinese, on every page's footer and on
    /// documents (e.g. 广东省科学技术厅).
    #[arg(long, env = "ZHENGKA_AUTHORITY_NAME")]
    pub authority_name: Option<String>,
    /// The issuing authority's name in English.
    #[arg(long, env = "ZHENGKA_AUTHORITY_NAME_EN")]
    pub authority_name_en: Option<String>,
    /// The IANA time zone pages show dates and times in (stored times are UTC).
    #[arg(long, env = "ZHENGKA_TIME_ZONE", default_value = "Asia/Shanghai",
          value_parser = zhengka_server::authority::parse_time_zone)]
    pub time_zone: chrono_tz::Tz,
    /// A TrueType CJK font (.ttf or .ttc) whose glyphs the Notice and Decision
    /// PDFs embed (a subset per document). Without it, the first of
    /// /usr/share/fonts/truetype/wqy/wqy-microhei.ttc (Debian fonts-wqy-microhei),
    /// wqy-zenhei.ttc, droid/DroidSansFallbackFull.ttf that exists.
    #[arg(long, env = "ZHENGKA_PDF_FONT")]
    pub pdf_font: Option<PathBuf>,
}

impl PageOptions {
    pub fn authority(&self) -> zhengka_server::authority::Authority {
        let default = zhengka_server::authority::Authority::default();
        zhengka_server::authority::Authority {
            name_zh: self.authority_name.clone().unwrap_or(default.name_zh),
            name_en: self.authority_name_en.clone().unwrap_or(default.name_en),
        }
    }
}

/// Which region this deployment issues for, and with which algorithm. The first
/// `serve` (or `keys rotate`) records them in DATA_DIR/deployment.json; later
/// commands read them from there and refuse a flag that contradicts them.
#[derive(clap::Args)]
pub struct KeyOptions {
    /// GB/T 2260 code of the issuing authority's region (the credentials' `iss`);
    /// recorded on first start (default 440000).
    #[arg(long, env = "ZHENGKA_ISSUER_REGION", global = true)]
    pub issuer_region: Option<String>,
    /// Signature algorithm of the deployment's keys: ES256, SM2-SM3 or EdDSA;
    /// recorded on first start (default ES256).
    #[arg(long, env = "ZHENGKA_SIGNING_ALG", global = true)]
    pub signing_alg: Option<String>,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List the issuer keys and the trust anchor.
    List,
    /// Stop signing with the current issuer key and start a new one.
    Rotate,
    /// Write what offline verifiers need: trust-list.cose, trust-anchor.pub and
    /// status-list.cose.
    ExportPublic {
        #[arg(long)]
        out: PathBuf,
    },
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
    // Verification is offline: it needs no data directory and no database.
    if let Command::Verify(args) = &cli.command {
        if let Some(action) = &args.action {
            return crate::verify_sync::run(action).await;
        }
        return crate::verify::run(args);
    }
    if let Command::Gate { command } = &cli.command {
        return crate::gate::run(command);
    }
    let dir = DataDir::open(&cli.data_dir)?;
    let url = cli.database_url.clone().unwrap_or_else(|| dir.sqlite_url());
    // Only `serve` and `keys rotate` may establish the deployment (and make
    // keys); every other command checks its flags against the record.
    let establishes = matches!(
        cli.command,
        Command::Serve { .. }
            | Command::Keys {
                command: KeysCommand::Rotate
            }
    );
    if !establishes {
        Deployment::recorded(&dir, &cli.keys)?;
    }
    match cli.command {
        Command::Serve {
            bind,
            demo,
            outside,
            pages,
        } => {
            let deployment = Deployment::establish(&dir, &cli.keys)?;
            crate::serve::run(&dir, &url, bind, demo, &outside, &deployment, &pages).await
        }
        Command::Migrate => {
            let store = dir.connect(&url).await?;
            store.close().await;
            println!("schema is up to date");
            Ok(())
        }
        Command::Users { command } => crate::users::run(&dir, &url, command).await,
        Command::Demo => {
            let creds = Deployment::required(&dir, &cli.keys)?.credentials(&dir)?;
            let store = dir.connect(&url).await?;
            crate::demo::fill(std::sync::Arc::new(store), creds).await
        }
        Command::Keys { command } => crate::keys::run(&dir, &url, &cli.keys, command).await,
        Command::Verify(_) | Command::Gate { .. } => unreachable!("handled above"),
        Command::Trust { command } => {
            let deployment = Deployment::required(&dir, &cli.keys)?;
            crate::trust::run(&dir, &url, &deployment, command).await
        }
        Command::Cards { command } => {
            let creds = Deployment::required(&dir, &cli.keys)?.credentials(&dir)?;
            crate::cards::run(&dir, &url, creds, command).await
        }
        Command::Export { out } => {
            let store = dir.connect(&url).await?;
            let mut file = std::io::BufWriter::new(crate::data_dir::create_private(&out)?);
            let report = store.export(&mut file).await?;
            std::io::Write::flush(&mut file)?;
            println!("exported {} rows to {}", report.rows, out.display());
            Ok(())
        }
        Command::Import { input } => {
            let store = dir.connect(&url).await?;
            let file = std::io::BufReader::new(std::fs::File::open(&input)?);
            let report = store.import(file).await?;
            println!("imported {} rows", report.rows);
            Ok(())
        }
        Command::AuditVerify => {
            let store = dir.connect(&url).await?;
            let report = zhengka_store::Store::verify_audit_chain(&store).await?;
            println!("{}", serde_json::to_string(&report)?);
            if let Some(reason) = &report.reason {
                anyhow::bail!("the audit chain is broken: {reason}");
            }
            Ok(())
        }
    }
}
