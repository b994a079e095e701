//! Region federation at the command line: `zhengka verify` given the trust
//! lists of two regions checks each credential against its own region's keys
//! and status lists; `zhengka trust import` pins a peer region from its
//! exported files and refuses a list the anchor did not sign.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zhengka_credential::*;

const DAY: i64 = 86_400;

struct Region {
    code: &'static str,
    anchor: SigningKey,
    issuer: Issuer,
    key: SigningKey,
}

impl Region {
    fn new(code: &'static str) -> Self {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let copy = SigningKey::from_pkcs8(Algorithm::Es256, key.to_pkcs8()).unwrap();
        Region {
            code,
            anchor: SigningKey::generate(Algorithm::Es256).unwrap(),
            issuer: Issuer::new(copy, code),
            key,
        }
    }

    fn uri(&self) -> String {
        format!("urn:zhengka:{}:status-list:1", self.code)
    }

    /// trust-list.cose, trust-anchor.pub and status-list.cose (index 7 revoked).
    fn write(&self, dir: &Path, now: i64) {
        std::fs::create_dir_all(dir).unwrap();
        let list = TrustList {
            iss: format!("zhengka {}", self.code),
            seq: 1,
            iat: now - DAY,
            exp: now + 30 * DAY,
            keys: vec![IssuerKey {
                public_key: self.key.public_key().clone(),
                region: self.code.into(),
                purposes: vec![KeyPurpose::Notice, KeyPurpose::Card, KeyPurpose::StatusList],
                valid_from: now - 30 * DAY,
                valid_to: now + 365 * DAY,
            }],
        };
        std::fs::write(dir.join("trust-list.cose"), list.sign(&self.anchor)).unwrap();
        std::fs::write(
            dir.join("trust-anchor.pub"),
            anchor_text(self.anchor.public_key()),
        )
        .unwrap();
        let mut bits = StatusBits::new(status::MIN_ENTRIES);
        bits.set(7, Status::Revoked);
        let status = StatusList {
            uri: self.uri(),
            iat: now - 60,
            exp: now + DAY,
            ttl: DAY,
            bits,
        };
        std::fs::write(dir.join("status-list.cose"), status.sign(&self.key)).unwrap();
    }

    fn notice(&self, idx: u32, now: i64) -> String {
        let facts = PermitFacts {
            permit_number: format!("{}202600000001", self.code),
            holder_name: "MARTIN ANNA MARIA".into(),
            nationality: "DEU".into(),
            date_of_birth: "1990-04-02".into(),
            employer_name: "Example".into(),
            employer_uscc: "91350100M000100Y43".into(),
            class: "B".into(),
            position: "Engineer".into(),
            valid_from: "2026-01-01".into(),
            valid_to: "2027-12-31".into(),
        };
        let validity = Validity {
            iat: now - DAY,
            exp: now + 90 * DAY,
        };
        let status = StatusRef {
            uri: self.uri(),
            idx,
        };
        self.issuer
            .notice(facts, "N-1".into(), validity, Some(status))
            .qr
    }
}

fn temp(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zhengka-fed-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn zhengka(args: &[&str], files: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhengka"));
    for var in [
        "ZHENGKA_ISSUER_REGION",
        "ZHENGKA_SIGNING_ALG",
        "ZHENGKA_DATABASE_URL",
    ] {
        c.env_remove(var);
    }
    c.args(args);
    for (flag, path) in files {
        c.arg(flag).arg(path);
    }
    c.output().unwrap()
}

fn verdict(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn verify_checks_each_region_against_its_own_lists() {
    let now = chrono::Utc::now().timestamp();
    let (a, b) = (Region::new("440000"), Region::new("310000"));
    let dir = temp("verify");
    let (da, db) = (dir.join("a"), dir.join("b"));
    a.write(&da, now);
    b.write(&db, now);
    let both = [
        ("--trust-list", da.join("trust-list.cose")),
        ("--trust-anchor", da.join("trust-anchor.pub")),
        ("--trust-list", db.join("trust-list.cose")),
        ("--trust-anchor", db.join("trust-anchor.pub")),
    ];
    let files = |extra: &[(&'static str, PathBuf)]| -> Vec<(&'static str, PathBuf)> {
        both.iter().cloned().chain(extra.iter().cloned()).collect()
    };
    let run = |qr: &str, files: &[(&'static str, PathBuf)]| {
        let refs: Vec<(&str, &Path)> = files.iter().map(|(f, p)| (*f, p.as_path())).collect();
        zhengka(&["verify", qr], &refs)
    };
    let statuses = files(&[
        ("--status-list", da.join("status-list.cose")),
        ("--status-list", db.join("status-list.cose")),
    ]);
    let out = run(&a.notice(1, now), &statuses);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        verdict(&out).starts_with("valid notice"),
        "{}",
        verdict(&out)
    );
    assert!(run(&b.notice(1, now), &statuses).status.success());
    let out = run(&a.notice(7, now), &statuses);
    assert_eq!(
        (out.status.code(), verdict(&out)),
        (Some(1), "rejected: revoked".into())
    );
    // Only A's status list: B's credential cannot be checked, so it is refused.
    let only_a = files(&[("--status-list", da.join("status-list.cose"))]);
    let out = run(&b.notice(1, now), &only_a);
    assert_eq!(verdict(&out), "rejected: stale_status");
    // A's list paired with B's anchor does not verify.
    let crossed = [
        ("--trust-list", da.join("trust-list.cose")),
        ("--trust-anchor", db.join("trust-anchor.pub")),
        ("--trust-list", db.join("trust-list.cose")),
        ("--trust-anchor", da.join("trust-anchor.pub")),
    ];
    let out = run(&a.notice(1, now), &crossed);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not verify"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn trust_import_pins_a_peer_from_its_files() {
    let dir = temp("import");
    let data = dir.join("data");
    let data_s = data.to_str().unwrap();
    let out = zhengka(
        &[
            "--data-dir",
            data_s,
            "--issuer-region",
            "310000",
            "keys",
            "rotate",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let now = chrono::Utc::now().timestamp();
    let (a, mallory) = (Region::new("440000"), Region::new("440000"));
    let (da, dm) = (dir.join("a"), dir.join("m"));
    a.write(&da, now);
    mallory.write(&dm, now);
    let import = |anchor: &Path, list: &Path| {
        zhengka(
            &[
                "--data-dir",
                data_s,
                "trust",
                "import",
                "--name",
                "Guangdong",
            ],
            &[
                ("--anchor", anchor),
                ("--list", list),
                ("--status-list", &da.join("status-list.cose")),
            ],
        )
    };
    // Mallory's list under A's anchor: refused, nothing pinned.
    let out = import(&da.join("trust-anchor.pub"), &dm.join("trust-list.cose"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("peer_list_not_verified"));
    let out = import(&da.join("trust-anchor.pub"), &da.join("trust-list.cose"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        verdict(&out).contains("region 440000 pinned: trust list seq 1, 1 status lists"),
        "{}",
        verdict(&out)
    );
    // The same region under another anchor is refused.
    let out = import(&dm.join("trust-anchor.pub"), &dm.join("trust-list.cose"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another anchor"));
    let _ = std::fs::remove_dir_all(&dir);
}
