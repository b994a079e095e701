//! `kill -9` in the middle of concurrent writes, several times over: every
//! write the server acknowledged is there afterwards, once, with its audit
//! event, and the audit chain verifies. (A write is answered only once its
//! transaction is committed.)
#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use zhengka_domain::ids::Uscc;

const CYCLES: u64 = 3;
const WRITERS: u64 = 8;

fn zhengka(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhengka"));
    cmd.arg("--data-dir")
        .arg(data)
        .env_remove("ZHENGKA_DATABASE_URL")
        .env("ZHENGKA_LOG", "warn");
    cmd
}

/// `serve` on a free port: the process and its address.
fn serve(data: &Path) -> (Child, String) {
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
    (child, addr)
}

/// One HTTP/1.1 POST; `None` when the server is gone (no complete answer).
fn post(addr: &str, path: &str, token: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(20))).ok()?;
    let auth = if token.is_empty() {
        String::new()
    } else {
        format!("authorization: Bearer {token}\r\n")
    };
    let req = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{auth}\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).ok()?;
    let mut answer = String::new();
    s.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

fn field(json: &str, name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).expect("a JSON answer");
    v[name].as_str().expect("the field").to_owned()
}

fn login(addr: &str, password: &str) -> String {
    let body = serde_json::json!({ "username": "admin", "password": password }).to_string();
    let (status, body) = post(addr, "/api/v1/sessions", "", &body).expect("sign in");
    assert_eq!(status, 201, "{body}");
    field(&body, "token")
}

/// Create employers until the server goes away: the acknowledged ones, by USCC.
fn writer(addr: String, token: String, cycle: u64, n: u64) -> Vec<(String, String)> {
    let mut acknowledged = vec![];
    for i in 0.. {
        let serial = (cycle * 100 + n) * 100_000 + i;
        let uscc = Uscc::with_check_character(&format!("91440106{serial:09}")).unwrap();
        let body = serde_json::json!({ "uscc": uscc.as_str(), "name": format!("Kill employer {serial}"),
                                       "region_code": "440106", "address": "1 Load Road" });
        match post(&addr, "/api/v1/employers", &token, &body.to_string()) {
            Some((201, body)) => acknowledged.push((uscc.as_str().to_owned(), field(&body, "id"))),
            Some((status, body)) => panic!("unexpected answer {status}: {body}"),
            None => break,
        }
    }
    acknowledged
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn stored(db: &Path) -> (HashMap<String, String>, HashMap<String, i64>) {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let employers = sqlx::query("SELECT id, uscc FROM employers")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("uscc"), r.get::<String, _>("id")))
        .collect();
    let events = sqlx::query(
        "SELECT entity_id, COUNT(*) AS n FROM audit_events \
         WHERE action = 'employer.created' GROUP BY entity_id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get::<String, _>("entity_id"), r.get::<i64, _>("n")))
    .collect();
    conn.close().await.unwrap();
    (employers, events)
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_9() {
    let tmp = TempDir(std::env::temp_dir().join(format!(
        "zhengka-kill9-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )));
    let data = tmp.0.join("data");
    let mut acknowledged = vec![];
    for cycle in 0..CYCLES {
        let (mut server, addr) = serve(&data);
        let password = std::fs::read_to_string(data.join("initial-admin-password")).unwrap();
        let token = login(&addr, password.trim());
        let writers: Vec<_> = (0..WRITERS)
            .map(|n| {
                let (addr, token) = (addr.clone(), token.clone());
                std::thread::spawn(move || writer(addr, token, cycle, n))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(800));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        for w in writers {
            acknowledged.extend(w.join().unwrap());
        }
    }
    assert!(acknowledged.len() > 20, "too few writes to mean anything");

    let (employers, events) = stored(&data.join("zhengka.db")).await;
    for (uscc, id) in &acknowledged {
        assert_eq!(
            employers.get(uscc),
            Some(id),
            "acknowledged {uscc} is stored"
        );
    }
    for id in employers.values() {
        assert_eq!(events.get(id), Some(&1), "{id} has exactly its one event");
    }
    assert_eq!(
        events.len(),
        employers.len(),
        "no event without its employer"
    );
    let verify = zhengka(&data).arg("audit-verify").output().unwrap();
    assert!(verify.status.success(), "{verify:?}");
}
