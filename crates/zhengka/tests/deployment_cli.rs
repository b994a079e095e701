//! Only `serve` and `keys rotate` make signing keys. The deployment's settings
//! are recorded in the data directory; every other command reads them, refuses a
//! flag that contradicts them, and fails clearly when there are no keys.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

struct DataDir(PathBuf);

impl DataDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("zhengka-deploy-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }

    /// `zhengka --data-dir DIR args...`, without the deployment's variables.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_zhengka"));
        c.arg("--data-dir").arg(&self.0).args(args);
        for var in [
            "ZHENGKA_ISSUER_REGION",
            "ZHENGKA_SIGNING_ALG",
            "ZHENGKA_DATABASE_URL",
        ] {
            c.env_remove(var);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Every file under keys/, relative names, sorted.
    fn key_files(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, root, out);
                } else {
                    out.push(path.strip_prefix(root).unwrap().display().to_string());
                }
            }
        }
        let mut out = vec![];
        walk(&self.0.join("keys"), &self.0, &mut out);
        out.retain(|f| !f.ends_with("store.key"));
        out.sort();
        out
    }

    fn deployment(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.0.join("deployment.json")).unwrap())
            .unwrap()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn without_keys_commands_fail_clearly_and_make_none() {
    let dir = DataDir::new("empty");
    let export = dir.0.join("out");
    let export = export.to_str().unwrap();
    for args in [
        vec!["keys", "list"],
        vec!["keys", "export-public", "--out", export],
        vec![
            "--issuer-region",
            "110000",
            "--signing-alg",
            "SM2-SM3",
            "keys",
            "list",
        ],
        vec!["demo"],
    ] {
        let out = dir.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stdout(&out));
        let message = stderr(&out);
        assert!(
            message.contains("no signing keys in")
                && message.contains("run `zhengka serve` once or `zhengka keys rotate`"),
            "{args:?}: {message}"
        );
        assert_eq!(dir.key_files(), Vec::<String>::new(), "{args:?} made a key");
        assert!(!dir.0.join("deployment.json").exists());
    }
}

#[test]
fn rotate_records_the_settings_and_other_commands_follow_them() {
    let dir = DataDir::new("rotate");
    let out = dir.run(&[
        "--issuer-region",
        "110000",
        "--signing-alg",
        "SM2-SM3",
        "keys",
        "rotate",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        dir.deployment(),
        serde_json::json!({ "issuer_region": "110000", "signing_alg": "SM2-SM3" })
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.0.join("deployment.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let keys = dir.key_files();
    assert_eq!(
        keys.len(),
        2,
        "the trust anchor and one issuer key: {keys:?}"
    );
    // No flags: the recorded settings, and no new key.
    let list = dir.run(&["keys", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        stdout(&list).contains("SM2-SM3  region 110000"),
        "{}",
        stdout(&list)
    );
    let out_dir = dir.0.join("verifier");
    let export = dir.run(&["keys", "export-public", "--out", out_dir.to_str().unwrap()]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(out_dir.join("trust-list.cose").exists());
    // The same flags are fine; contradicting ones are an error, and make nothing.
    let same = dir.run(&[
        "--signing-alg",
        "sm2-sm3",
        "--issuer-region",
        "110000",
        "keys",
        "list",
    ]);
    assert!(same.status.success(), "{}", stderr(&same));
    for (args, says) in [
        (
            vec!["--signing-alg", "ES256", "keys", "list"],
            "--signing-alg ES256 contradicts this deployment's SM2-SM3",
        ),
        (
            vec![
                "--issuer-region",
                "440000",
                "keys",
                "export-public",
                "--out",
                "x",
            ],
            "--issuer-region 440000 contradicts this deployment's 110000",
        ),
        (vec!["--signing-alg", "EdDSA", "migrate"], "contradicts"),
        (
            vec!["--signing-alg", "EdDSA", "keys", "rotate"],
            "contradicts",
        ),
    ] {
        let out = dir.run(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(dir.key_files(), keys, "no command made a key");
    // A rotation with the recorded settings adds one issuer key.
    assert!(dir.run(&["keys", "rotate"]).status.success());
    assert_eq!(dir.key_files().len(), 3);
}

#[test]
fn serve_records_the_settings_on_first_start() {
    let dir = DataDir::new("serve");
    let mut server = dir
        .command(&[
            "--issuer-region",
            "310000",
            "--signing-alg",
            "EdDSA",
            "serve",
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let serving = lines.find(|l| l.as_ref().is_ok_and(|l| l.contains("is serving on")));
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(serving.is_some(), "the server started");
    assert_eq!(
        dir.deployment(),
        serde_json::json!({ "issuer_region": "310000", "signing_alg": "EdDSA" })
    );
    let keys = dir.key_files();
    let list = dir.run(&["keys", "list"]);
    assert!(list.status.success(), "{}", stderr(&list));
    assert!(
        stdout(&list).contains("EdDSA  region 310000"),
        "{}",
        stdout(&list)
    );
    let again = dir.run(&["--signing-alg", "ES256", "serve", "--bind", "127.0.0.1:0"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr(&again).contains("--signing-alg ES256 contradicts this deployment's EdDSA"));
    assert_eq!(dir.key_files(), keys);
}
