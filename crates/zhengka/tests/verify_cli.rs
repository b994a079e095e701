//! `zhengka verify` as a relying party runs it: files in, one verdict per QR out,
//! checked against every published test vector.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/credential/vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The files a relying party downloads, written from the vectors into a
/// fresh directory.
fn verifier_files(v: &Value, tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zhengka-verify-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("trust-list.cose"),
        hex(v["trust_list"].as_str().unwrap()),
    )
    .unwrap();
    std::fs::write(
        dir.join("status-list.cose"),
        hex(v["status_list"].as_str().unwrap()),
    )
    .unwrap();
    assert_eq!(v["trust_anchor"]["alg"], -7, "the vectors' anchor is ES256");
    std::fs::write(
        dir.join("trust-anchor.pub"),
        format!("ES256:{}", v["trust_anchor"]["pub"].as_str().unwrap()),
    )
    .unwrap();
    dir
}

/// `zhengka verify --batch` over `input`, as of `now`.
fn run_batch(dir: &Path, purpose: &str, now: i64, input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhengka"))
        .args([
            "verify",
            "--batch",
            "--purpose",
            purpose,
            "--at",
            &now.to_string(),
        ])
        .arg("--trust-list")
        .arg(dir.join("trust-list.cose"))
        .arg("--trust-anchor")
        .arg(dir.join("trust-anchor.pub"))
        .arg("--status-list")
        .arg(dir.join("status-list.cose"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn qr_of(v: &Value, name: &str) -> String {
    let case = v["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name);
    case.unwrap()["qr"].as_str().unwrap().to_owned()
}

#[test]
fn batch_verdicts_match_the_test_vectors() {
    let v = vectors();
    let dir = verifier_files(&v, "vectors");
    let all = v["vectors"].as_array().unwrap();
    let mut groups: Vec<(String, i64)> = all
        .iter()
        .map(|c| {
            (
                c["purpose"].as_str().unwrap_or("notice").replace('_', "-"),
                c["now"].as_i64().unwrap(),
            )
        })
        .collect();
    groups.sort();
    groups.dedup();
    let mut checked = 0;
    for (purpose, now) in &groups {
        let cases: Vec<&Value> = all
            .iter()
            .filter(|c| {
                c["purpose"].as_str().unwrap_or("notice").replace('_', "-") == *purpose
                    && c["now"].as_i64() == Some(*now)
            })
            .collect();
        let input: String = cases
            .iter()
            .map(|c| format!("{}\n", c["qr"].as_str().unwrap()))
            .collect();
        let out = run_batch(&dir, purpose, *now, input.as_bytes());
        // Exit status 1 as soon as any line is rejected, 0 when all are valid.
        let any_rejected = cases.iter().any(|c| c["expected"] != "valid");
        assert_eq!(
            out.status.code(),
            Some(i32::from(any_rejected)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), cases.len() + 1, "{stdout}");
        for (case, line) in cases.iter().zip(&lines) {
            let expected = case["expected"].as_str().unwrap();
            let ok = if expected == "valid" {
                line.starts_with("valid")
            } else {
                *line == format!("rejected: {expected}")
            };
            assert!(ok, "{}: expected {expected}, got {line}", case["name"]);
            checked += 1;
        }
        assert!(lines.last().unwrap().ends_with("rejected"), "summary line");
    }
    assert_eq!(checked, all.len(), "every vector is checked");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_line_that_is_not_utf8_is_reported_and_the_batch_goes_on() {
    let v = vectors();
    let dir = verifier_files(&v, "utf8");
    let now = 1_767_225_600;
    let mut input = format!("{}\n", qr_of(&v, "notice-es256-valid")).into_bytes();
    input.extend_from_slice(b"ZK1:\xff\xfe\xc3(\n");
    input.extend_from_slice(format!("{}\n", qr_of(&v, "notice-sm2-valid")).as_bytes());
    let out = run_batch(&dir, "notice", now, &input);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines[0].starts_with("valid notice"), "{stdout}");
    assert_eq!(lines[1], "rejected: malformed");
    assert!(lines[2].starts_with("valid notice"), "{stdout}");
    assert_eq!(lines[3], "2 valid, 1 rejected");
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: not UTF-8"));
    assert_eq!(out.status.code(), Some(1));

    let valid = format!(
        "{}\n\n{}\n",
        qr_of(&v, "notice-es256-valid"),
        qr_of(&v, "notice-eddsa-valid")
    );
    let out = run_batch(&dir, "notice", now, valid.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .ends_with("2 valid, 0 rejected\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
