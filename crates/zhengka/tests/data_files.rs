//! The real binary on a fresh data directory: every file it creates is the
//! service user's alone, and `audit-verify` fails once the trail loses its tail.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

fn zhengka(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhengka"));
    cmd.arg("--data-dir")
        .arg(data)
        .env_remove("ZHENGKA_DATABASE_URL")
        .env("ZHENGKA_LOG", "warn");
    cmd
}

fn mode(path: &Path) -> u32 {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    meta.permissions().mode() & 0o777
}

/// `serve` on a free port, returned once it says it is serving.
fn serve(data: &Path) -> Child {
    let mut child = zhengka(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start zhengka serve");
    let stdout = child.stdout.take().unwrap();
    let serving = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .any(|line| line.starts_with("zhengka is serving on"));
    assert!(serving, "serve exited before serving");
    child
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run zhengka")
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test]
async fn files_are_owner_only_and_a_lost_tail_fails_audit_verify() {
    let tmp = TempDir(std::env::temp_dir().join(format!("zhengka-files-{}", uuid())));
    std::fs::create_dir_all(&tmp.0).unwrap();
    let data = tmp.0.join("data");

    let mut server = serve(&data);
    let export = tmp.0.join("export.jsonl");
    let exported = run(zhengka(&data).arg("export").arg("--out").arg(&export));
    // The WAL and SHM files exist only while the database is open.
    let files = [
        "zhengka.db",
        "zhengka.db-wal",
        "zhengka.db-shm",
        "initial-admin-password",
    ];
    let modes: Vec<(String, u32)> = files
        .iter()
        .map(|f| ((*f).to_owned(), mode(&data.join(f))))
        .chain([("export".to_owned(), mode(&export))])
        .chain([("data dir".to_owned(), mode(&data))])
        .collect();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(exported.status.success(), "{exported:?}");
    for (file, m) in &modes {
        let want = if file == "data dir" { 0o700 } else { 0o600 };
        assert_eq!(*m, want, "{file} has mode {m:o}");
    }

    let ok = run(zhengka(&data).arg("audit-verify"));
    assert!(ok.status.success(), "{ok:?}");
    delete_last_event(&data.join("zhengka.db")).await;
    let broken = run(zhengka(&data).arg("audit-verify"));
    assert!(!broken.status.success(), "a truncated trail passed");
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("truncated: head says seq"), "{stderr}");
}

async fn delete_last_event(db: &Path) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

fn uuid() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}
