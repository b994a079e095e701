//! `zhengka verify` as a relying party runs it: files in, one verdict per QR out,
//! checked against every published test vector.

use std::io::Write;
use std::process::{Command, Stdio};

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

#[test]
fn batch_verdicts_match_the_test_vectors() {
    let v = vectors();
    let dir = std::env::temp_dir().join(format!("zhengka-verify-cli-{}", std::process::id()));
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
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
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
