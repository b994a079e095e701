//! `zhengka verify`: offline verification of QR payloads against files a
//! relying party downloaded (trust list, trust anchor, status list).

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::Context;
use zhengka_credential::{Body, Policy, PublicKey, Purpose, TrustList, Verified};

use crate::keyring::{parse_alg, unhex};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct VerifyArgs {
    /// `sync` the lists from a server, `upload` a gate's log.
    #[command(subcommand)]
    pub action: Option<crate::verify_sync::VerifyAction>,
    /// The signed trust list (`trust-list.cose` from `keys export-public` or
    /// `GET /api/v1/trust-list`). Repeat it with `--trust-anchor`, in the same
    /// order, to trust several regions (federation): each credential is then
    /// checked against its own region's keys only.
    #[arg(long, required_unless_present = "lists")]
    trust_list: Vec<PathBuf>,
    /// The trust anchor's public key (`trust-anchor.pub`: `ALG:hex`), one per
    /// `--trust-list`.
    #[arg(long, required_unless_present = "lists")]
    trust_anchor: Vec<PathBuf>,
    /// A signed status list; without one revocation is not checked. Give it
    /// more than once (the permits' list 1 and the device credentials' list 3,
    /// of each region): each credential is looked up in the list its status
    /// names, among its own region's lists.
    #[arg(long)]
    status_list: Vec<PathBuf>,
    /// notice, presentation or card-install.
    #[arg(long, default_value = "notice")]
    purpose: String,
    /// Verify as of this Unix time instead of now (e.g. "was it valid then?",
    /// or a presentation 31 s after it was made, which is refused as stale).
    #[arg(long)]
    at: Option<i64>,
    /// Read the QR code(s) from a PNG photo or screenshot.
    #[arg(long, conflicts_with_all = ["qr", "batch"])]
    image: Option<PathBuf>,
    /// Read one QR payload per line from standard input; print a verdict per line
    /// and a summary.
    #[arg(long, conflicts_with = "qr")]
    batch: bool,
    #[command(flatten)]
    offline: crate::verify_sync::OfflineArgs,
    /// The QR payload (`ZK1:...`).
    #[arg(required_unless_present_any = ["batch", "image"])]
    qr: Option<String>,
}

fn purpose(name: &str) -> anyhow::Result<Purpose> {
    match name {
        "notice" => Ok(Purpose::Notice),
        "presentation" => Ok(Purpose::Presentation),
        "card-install" => Ok(Purpose::CardInstall),
        other => anyhow::bail!("unknown purpose {other}: notice, presentation or card-install"),
    }
}

fn anchor(path: &PathBuf) -> anyhow::Result<PublicKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let (alg, hex) = text
        .trim()
        .split_once(':')
        .context("trust anchor must be ALG:hex")?;
    PublicKey::from_bytes(parse_alg(alg)?, &unhex(hex)?)
        .map_err(|e| anyhow::anyhow!("trust anchor: {e}"))
}

fn describe(v: &Verified) -> String {
    match &v.claims.body {
        Body::Notice { facts, notice_id } => format!(
            "valid notice {notice_id}: permit {} {} ({}) class {} {} until {}{}",
            facts.permit_number,
            facts.holder_name,
            facts.nationality,
            facts.class,
            facts.employer_name,
            facts.valid_to,
            status_note(v)
        ),
        Body::Card { facts, .. } => format!(
            "valid {}: permit {} {} until {}{}",
            // A presentation's claims are those of the card it embeds.
            if v.presented.is_some() {
                "presentation"
            } else {
                "card"
            },
            facts.permit_number,
            facts.holder_name,
            facts.valid_to,
            status_note(v)
        ),
        Body::Presentation { .. } => "valid presentation".into(),
    }
}

fn status_note(v: &Verified) -> &'static str {
    match v.status {
        zhengka_credential::StatusCheck::Valid => "",
        _ => " (status not checked)",
    }
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<()> {
    let now = args.at.unwrap_or_else(|| chrono::Utc::now().timestamp());
    let verifier = match crate::verify_sync::lists(&args.offline, now) {
        Some((trust, status)) => crate::verify_regions::Verifier::One(trust, status),
        None => files(args, now)?,
    };
    let purpose = purpose(&args.purpose)?;
    let policy = Policy::default();
    let gate = crate::verify_sync::Gate::open(&args.offline, purpose, now)?;
    let check = |qr: &str| {
        let verdict = verifier.verify(qr.trim(), now, purpose, &policy);
        match &gate {
            // A verdict the gate cannot record is not given.
            Some(g) => g.borrow_mut().judge(verdict, now).unwrap_or_else(|e| {
                eprintln!("error: {e:#}");
                std::process::exit(2)
            }),
            None => verdict,
        }
    };
    let from_image = match &args.image {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let codes = crate::scan::qr_codes_in_png(&bytes)?;
            anyhow::ensure!(!codes.is_empty(), "no QR code found in {}", path.display());
            codes.into_iter().next()
        }
        None => None,
    };
    if let Some(qr) = args.qr.as_ref().or(from_image.as_ref()) {
        return match check(qr) {
            Ok(v) => {
                println!("{}", describe(&v));
                Ok(())
            }
            Err(r) => {
                println!("rejected: {}", r.code());
                std::process::exit(1);
            }
        };
    }
    let (valid, rejected) = batch(std::io::stdin().lock(), &check)?;
    println!("{valid} valid, {rejected} rejected");
    // Scripts check the status: 1 as soon as any line was rejected.
    if rejected > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// The trust list and status lists from their separate files.
fn files(args: &VerifyArgs, now: i64) -> anyhow::Result<crate::verify_regions::Verifier> {
    anyhow::ensure!(
        !args.trust_list.is_empty(),
        "give --trust-list and --trust-anchor, or --lists"
    );
    anyhow::ensure!(
        args.trust_list.len() == args.trust_anchor.len(),
        "give one --trust-anchor for each --trust-list"
    );
    let read = |path: &PathBuf| {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let trusts = args
        .trust_list
        .iter()
        .zip(&args.trust_anchor)
        .map(|(list, anchor_path)| {
            TrustList::from_signed(&read(list)?, &anchor(anchor_path)?, now).map_err(|e| {
                anyhow::anyhow!(
                    "the trust list {} does not verify: {}",
                    list.display(),
                    e.code()
                )
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let tokens = args
        .status_list
        .iter()
        .map(read)
        .collect::<anyhow::Result<Vec<_>>>()?;
    crate::verify_regions::Verifier::new(trusts, &tokens)
}

/// One verdict per non-empty line; a line that is not UTF-8 is a rejected
/// (malformed) line like any other, and the batch goes on.
fn batch(
    input: impl BufRead,
    check: &dyn Fn(&str) -> Result<Verified, zhengka_credential::Rejection>,
) -> anyhow::Result<(usize, usize)> {
    let (mut valid, mut rejected) = (0, 0);
    for (n, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let verdict = match std::str::from_utf8(&line) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => check(text).map_err(|r| r.code()),
            Err(_) => {
                eprintln!("line {}: not UTF-8", n + 1);
                Err("malformed")
            }
        };
        match verdict {
            Ok(v) => {
                valid += 1;
                println!("{}", describe(&v));
            }
            Err(code) => {
                rejected += 1;
                println!("rejected: {code}");
            }
        }
    }
    Ok((valid, rejected))
}
