//! An offline gate from end to end, as processes: `serve` runs; the admin
//! registers a transit operator and its gate (`zhengka gate keygen`); the
//! gate syncs the lists, verifies a live presentation offline, refuses it
//! again after a restart (its replay cache is on disk), refuses to verify
//! with lists older than its maximum age, and uploads its log; the holder's
//! log then holds both checks, offline, once (a second upload adds nothing).
//! Later syncs and the upload reach the server through an HTTPS front whose
//! certificate a private CA issued: refused until `--tls-ca-file` names it.
#![cfg(unix)]

#[path = "../../zhengka-server/tests/support/tls_front.rs"]
mod tls_front;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{Value, json};
use zhengka_credential::{
    Algorithm, Issuer, PermitFacts, Pkcs8, SigningKey, StatusRef, Validity, present,
};

const PERMIT: &str = "440000202600000777";

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn zhengka(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhengka"));
    cmd.arg("--data-dir")
        .arg(data)
        .env_remove("ZHENGKA_DATABASE_URL")
        .env("ZHENGKA_LOG", "warn");
    cmd
}

fn serve(data: &Path) -> (Server, String) {
    let mut child = zhengka(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start zhengka serve");
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = lines
        .map_while(Result::ok)
        .find_map(|l| {
            l.strip_prefix("zhengka is serving on http://")
                .map(str::to_owned)
        })
        .expect("serve exited before serving");
    (Server(child), format!("http://{addr}"))
}

fn run(data: &Path, args: &[&str]) -> Output {
    zhengka(data).args(args).output().expect("run zhengka")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn post(base: &str, path: &str, token: &str, body: Value) -> Value {
    let res = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

/// A card credential signed by the deployment's issuer key (read from its
/// data directory, as the server signs) and a fresh presentation of it.
fn live_presentation(data: &Path, now: i64) -> String {
    let dir = data.join("keys/issuers");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(doc["alg"], "ES256");
    let der: Vec<u8> = (0..doc["pkcs8"].as_str().unwrap().len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&doc["pkcs8"].as_str().unwrap()[i..i + 2], 16).unwrap())
        .collect();
    let issuer = SigningKey::from_pkcs8(Algorithm::Es256, &Pkcs8::from_der(der)).unwrap();
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let facts = PermitFacts {
        permit_number: PERMIT.into(),
        holder_name: "MARTIN ANNA MARIA".into(),
        nationality: "DEU".into(),
        date_of_birth: "1990-04-02".into(),
        employer_name: "Pearl River Institute".into(),
        employer_uscc: "91440101MA59XXXX0X".into(),
        class: "B".into(),
        position: "Research engineer".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2030-12-31".into(),
    };
    // Looked up in the served device credentials' list 3 (index 9 is valid).
    let status = StatusRef {
        uri: "urn:zhengka:440000:status-list:3".into(),
        idx: 9,
    };
    // Not before the key's own start: it was made by this test's `serve`.
    let validity = Validity {
        iat: now,
        exp: now + 3600,
    };
    let card = Issuer::new(issuer, "440000").card(
        facts,
        device.public_key().clone(),
        validity,
        Some(status),
    );
    present(&card.cose, &device, now).unwrap().qr
}

async fn holder_log(data: &Path) -> Vec<(String, Option<String>, i64, String)> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", data.join("zhengka.db").display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    // What `verifications_for_holder` reads: the rows of the permit number.
    let rows = sqlx::query(
        "SELECT result, reason, offline, verifier FROM verification_log \
         WHERE permit_number = $1",
    )
    .bind(PERMIT)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.get("result"),
                r.get("reason"),
                r.get::<i64, _>("offline"),
                r.get("verifier"),
            )
        })
        .collect()
}

// Two workers: the commands run blocking on this one while the HTTPS front
// serves on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gate_syncs_verifies_offline_refuses_a_replay_after_a_restart_and_uploads() {
    let root = TempDir(std::env::temp_dir().join(format!("zk-gate-e2e-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&root.0);
    let (data, lists, keys, public) = (
        root.0.join("data"),
        root.0.join("lists"),
        root.0.join("gate-keys"),
        root.0.join("public"),
    );
    let (_server, base) = serve(&data);
    let password = std::fs::read_to_string(data.join("initial-admin-password")).unwrap();
    let admin = post(
        &base,
        "/api/v1/sessions",
        "",
        json!({ "username": "admin", "password": password.trim() }),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let org = post(
        &base,
        "/api/v1/relying-parties",
        &admin,
        json!({ "name": "Guangzhou Metro", "sector": "transport", "region_code": "440100",
                "purposes": ["transit"] }),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = post(
        &base,
        &format!("/api/v1/relying-parties/{org}/credentials"),
        &admin,
        json!({}),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let keygen = run(&data, &["gate", "keygen", "--out", keys.to_str().unwrap()]);
    assert!(keygen.status.success(), "{}", text(&keygen));
    let gate_pub = std::fs::read_to_string(keys.join("gate.pub")).unwrap();
    post(
        &base,
        &format!("/api/v1/relying-parties/{org}/gates"),
        &admin,
        json!({ "gate_id": "metro-3-07", "name": "Line 3, gate 7", "public_key": gate_pub.trim() }),
    )
    .await;

    // The anchor reaches the gate out of band (here: the operator's export).
    let export = run(
        &data,
        &["keys", "export-public", "--out", public.to_str().unwrap()],
    );
    assert!(export.status.success(), "{}", text(&export));
    let anchor = public.join("trust-anchor.pub");
    // The same server behind https, its certificate from a private CA.
    let front = tls_front::TlsFront::start(&base).await;
    let ca = front.ca_file(&root.0.join("tls"));
    let sync = |server: &str, anchor: Option<&Path>, ca: Option<&Path>| {
        let mut args = vec![
            "verify",
            "sync",
            "--server",
            server,
            "--dir",
            lists.to_str().unwrap(),
        ];
        if let Some(a) = anchor {
            args.extend(["--anchor", a.to_str().unwrap()]);
        }
        if let Some(ca) = ca {
            args.extend(["--tls-ca-file", ca.to_str().unwrap()]);
        }
        run(&data, &args)
    };
    let synced = sync(&base, Some(&anchor), None);
    assert!(synced.status.success(), "{}", text(&synced));
    for f in [
        "trust-list.cose",
        "trust-anchor.pub",
        "status-list-1.cose",
        "status-list-2.cose",
        "status-list-3.cose",
    ] {
        assert!(lists.join(f).exists(), "{f}");
    }

    let now = chrono::Utc::now().timestamp();
    let qr = live_presentation(&data, now);
    let gate = |qr: &str, at: i64| {
        run(
            &data,
            &[
                "verify",
                "--lists",
                lists.to_str().unwrap(),
                "--max-age",
                "300",
                "--purpose",
                "presentation",
                "--gate",
                "metro-3-07",
                "--at",
                &at.to_string(),
                qr,
            ],
        )
    };
    let first = gate(&qr, now);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains("valid presentation: permit 440000202600000777"),
        "{}",
        text(&first)
    );
    // A new process is a restarted gate: the nonce is remembered on disk.
    let replayed = gate(&qr, now + 2);
    assert_eq!(replayed.status.code(), Some(1), "{}", text(&replayed));
    assert!(text(&replayed).contains("rejected: replayed_or_stale_presentation"));
    // Lists older than the maximum age: refused, nothing verified or logged.
    let stale = gate(&live_presentation(&data, now + 400), now + 400);
    assert_eq!(stale.status.code(), Some(3), "{}", text(&stale));
    assert!(
        text(&stale).contains("more than the maximum age of 300 s"),
        "{}",
        text(&stale)
    );
    // Syncing again over https (the pinned anchor, no --anchor) makes the
    // lists fresh once the CA is given; without it nothing is fetched.
    let untrusted = sync(&front.url, None, None);
    assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted));
    assert!(
        text(&untrusted).contains("certificate not trusted"),
        "{}",
        text(&untrusted)
    );
    let again = sync(&front.url, None, Some(&ca));
    assert!(again.status.success(), "{}", text(&again));

    // Batch mode logs each line too: a fresh presentation and a line of noise.
    let mut batch = zhengka(&data)
        .args([
            "verify",
            "--batch",
            "--lists",
            lists.to_str().unwrap(),
            "--max-age",
            "300",
        ])
        .args(["--purpose", "presentation", "--gate", "metro-3-07"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = format!("{}\nnot a QR\n", live_presentation(&data, now));
    std::io::Write::write_all(&mut batch.stdin.take().unwrap(), input.as_bytes()).unwrap();
    let batch = batch.wait_with_output().unwrap();
    assert!(
        text(&batch).contains("1 valid, 1 rejected"),
        "{}",
        text(&batch)
    );

    let log = lists.join("gate-metro-3-07.log");
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 4);
    let upload = |token: &str| {
        run(
            &data,
            &[
                "verify",
                "upload",
                "--server",
                &front.url,
                "--tls-ca-file",
                ca.to_str().unwrap(),
                "--gate",
                "metro-3-07",
                "--gate-key",
                keys.join("gate.key").to_str().unwrap(),
                "--log",
                log.to_str().unwrap(),
                "--token",
                token,
            ],
        )
    };
    let up = upload(&token);
    assert!(up.status.success(), "{}", text(&up));
    assert!(
        text(&up).contains("uploaded 4 entries: 4 new"),
        "{}",
        text(&up)
    );
    let none = upload(&token);
    assert!(
        text(&none).contains("uploaded 0 entries"),
        "{}",
        text(&none)
    );

    let mut seen = holder_log(&data).await;
    seen.sort();
    assert_eq!(
        seen,
        vec![
            (
                "rejected".into(),
                Some("replayed_or_stale_presentation".into()),
                1,
                "gate:metro-3-07".into()
            ),
            ("valid".into(), None, 1, "gate:metro-3-07".into()),
            ("valid".into(), None, 1, "gate:metro-3-07".into()),
        ]
    );
}
