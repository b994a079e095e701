//! `serve` as an operator runs it: output captured by a supervisor (no
//! terminal), the first admin's password only in its file, logs as text
//! without colour codes or as JSON lines, and the jobs on `/metrics`.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `serve`: its address, and threads collecting stdout and stderr.
struct Server {
    child: Child,
    addr: String,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
}

fn serve(data: &Path, extra: &[(&str, &str)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhengka"));
    cmd.arg("--data-dir")
        .arg(data)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env_remove("ZHENGKA_DATABASE_URL")
        .env_remove("ZHENGKA_LOG_FORMAT")
        .env("ZHENGKA_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start zhengka serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = String::new();
    let addr = loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("serve exited before serving: {seen}"))
            .unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if let Some(a) = line.strip_prefix("zhengka is serving on http://") {
            break a.to_owned();
        }
    };
    let stdout =
        std::thread::spawn(move || lines.fold(seen, |acc, l| acc + &l.unwrap_or_default() + "\n"));
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    Server {
        child,
        addr,
        stdout,
        stderr,
    }
}

impl Server {
    fn get(&self, path: &str) -> String {
        let mut conn = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(
            conn,
            "GET {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        conn.read_to_string(&mut response).unwrap();
        response
    }

    /// Stop it as systemd does (SIGTERM); its whole stdout and stderr.
    fn stop(mut self) -> (String, String) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "SIGTERM is a clean shutdown: {status:?}");
        (self.stdout.join().unwrap(), self.stderr.join().unwrap())
    }
}

fn temp_dir(name: &str) -> TempDir {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!("zhengka-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

#[test]
fn the_admin_password_is_only_in_its_file_and_logs_carry_no_colour() {
    let tmp = temp_dir("ops");
    let data = tmp.0.join("data");
    let server = serve(&data, &[]);
    // The jobs start beside the listener: wait for their first runs.
    let mut metrics = String::new();
    for _ in 0..50 {
        metrics = server.get("/metrics");
        if metrics.contains("zhengka_job_runs_total{job=\"idempotency_purge\"}") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (stdout, stderr) = server.stop();
    let password = std::fs::read_to_string(data.join("initial-admin-password")).unwrap();
    assert_eq!(password.trim().len(), 24, "a password was written");
    assert!(
        !stdout.contains(password.trim()),
        "password on stdout: {stdout}"
    );
    assert!(
        !stderr.contains(password.trim()),
        "password in the log: {stderr}"
    );
    assert!(
        stdout.contains("initial-admin-password"),
        "says where: {stdout}"
    );
    assert!(stderr.contains("serving"), "the log was captured: {stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes off a terminal: {stderr:?}"
    );
    // The jobs started at once; each leased job is held by this one instance.
    for job in [
        "outbox_dispatch",
        "permit_deadline_sweep",
        "idempotency_purge",
        "expired_attempts_sweep",
    ] {
        assert!(
            metrics.contains(&format!("zhengka_job_lease_held{{job=\"{job}\"}} 1")),
            "{job}: {metrics}"
        );
    }
}

#[test]
fn json_logs_are_one_object_per_line() {
    let tmp = temp_dir("json-logs");
    let data = tmp.0.join("data");
    let server = serve(&data, &[("ZHENGKA_LOG_FORMAT", "json")]);
    let (_, stderr) = server.stop();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(!lines.is_empty());
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["fields"].is_object(), "{line}");
    }
    assert!(stderr.contains("\"message\":\"serving\""), "{stderr}");
}
