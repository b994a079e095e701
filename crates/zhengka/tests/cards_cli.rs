//! `zhengka cards batch` and `zhengka cards import`, as a card officer runs them
//! on the server: the demo's applied cards go into a batch file (0600, its
//! SHA-256 in the manifest); a return file with a bad line applies nothing and
//! says which line; the corrected file produces the cards.

use std::path::PathBuf;
use std::process::{Command, Output};

fn zhengka(dir: &PathBuf, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhengka"));
    c.arg("--data-dir").arg(dir).args(args);
    for var in [
        "ZHENGKA_ISSUER_REGION",
        "ZHENGKA_SIGNING_ALG",
        "ZHENGKA_DATABASE_URL",
    ] {
        c.env_remove(var);
    }
    c.output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_batch_file_goes_out_and_its_return_file_comes_back() {
    let dir = std::env::temp_dir().join(format!("zhengka-cards-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    ok(&zhengka(&dir, &["keys", "rotate"]));
    ok(&zhengka(&dir, &["demo"]));
    let out = dir.join("batches");
    std::fs::create_dir_all(&out).unwrap();
    let refused = zhengka(
        &dir,
        &[
            "cards",
            "batch",
            "--officer",
            "ss.gd",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a card officer"));

    let said = ok(&zhengka(
        &dir,
        &[
            "cards",
            "batch",
            "--officer",
            "card.gd",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let batch = said
        .split_whitespace()
        .nth(1)
        .unwrap()
        .trim_end_matches(':')
        .to_owned();
    let file = out.join(format!("{batch}.jsonl"));
    let manifest = out.join(format!("{batch}.manifest.json"));
    let lines = std::fs::read(&file).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    assert_eq!(m["sha256"].as_str().unwrap(), sha256_hex(&lines));
    assert_eq!(m["format"], "zhengka-card-batch/1");
    #[cfg(unix)]
    for f in [&file, &manifest] {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(f).unwrap().permissions().mode() & 0o777,
            0o600,
            "{}",
            f.display()
        );
    }
    // (card number, the bank account it keeps if it is a replacement)
    let cards: Vec<(String, String)> = String::from_utf8(lines)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let bank = v["bank_account"].as_str().unwrap_or("4111111111111111");
            (
                v["card_number"].as_str().unwrap().to_owned(),
                bank.to_owned(),
            )
        })
        .collect();
    // The demo leaves one card applied and one replacement waiting.
    assert_eq!(cards.len(), 2, "{cards:?}");
    assert_eq!(m["card_count"], 2);

    let line = |(card, bank): &(String, String), chip: &str| {
        format!(
            "{{\"card_number\":\"{card}\",\"chip_serial\":\"{chip}\",\"bank_account\":\"{bank}\"}}\n"
        )
    };
    let bad = dir.join("return-bad.jsonl");
    std::fs::write(
        &bad,
        format!(
            "{}{}",
            line(&cards[0], "CHIPCLI00001"),
            line(&cards[1], "x")
        ),
    )
    .unwrap();
    let r = zhengka(
        &dir,
        &[
            "cards",
            "import",
            "--officer",
            "card.gd",
            "--batch",
            &batch,
            bad.to_str().unwrap(),
        ],
    );
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("line 2: chip_serial: invalid_chip_serial"),
        "{err}"
    );
    assert!(err.contains("nothing was applied"), "{err}");

    let good = dir.join("return.jsonl");
    // A replacement keeps its bank account: the bank returns the same one.
    std::fs::write(
        &good,
        format!(
            "{}{}",
            line(&cards[0], "CHIPCLI00001"),
            line(&cards[1], "CHIPCLI00002")
        ),
    )
    .unwrap();
    let said = ok(&zhengka(
        &dir,
        &[
            "cards",
            "import",
            "--officer",
            "card.gd",
            "--batch",
            &batch,
            good.to_str().unwrap(),
        ],
    ));
    assert!(said.contains("2 cards produced"), "{said}");
    let again = zhengka(
        &dir,
        &[
            "cards",
            "import",
            "--officer",
            "card.gd",
            "--batch",
            &batch,
            good.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success(), "a batch's result is imported once");
    let _ = std::fs::remove_dir_all(&dir);
}
