//! Inputs the fuzz targets (crates/zhengka-credential/fuzz) found or that exercise
//! their edges, replayed through the same checks on every test run. A crashing
//! input from `tools/fuzz-smoke` (fuzz/artifacts/<target>/crash-*) goes into
//! tests/fuzz-regressions/<target>/ under a descriptive name.

use std::path::Path;
use zhengka_credential::claims::Claims;
use zhengka_credential::codec::cbor_guard;
use zhengka_credential::*;

struct World {
    now: i64,
    anchor: PublicKey,
    trust: TrustList,
    status: StatusList,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The world of the fuzz targets: the test vectors' anchor, trust and status list.
fn world() -> World {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/credential/vectors.json"),
    )
    .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let now = v["now"].as_i64().unwrap();
    let alg = Algorithm::from_cose_value(v["trust_anchor"]["alg"].as_i64().unwrap()).unwrap();
    let anchor =
        PublicKey::from_bytes(alg, &hex(v["trust_anchor"]["pub"].as_str().unwrap())).unwrap();
    let trust =
        TrustList::from_signed(&hex(v["trust_list"].as_str().unwrap()), &anchor, now).unwrap();
    let status = StatusList::from_token(&hex(v["status_list"].as_str().unwrap()), &trust).unwrap();
    World {
        now,
        anchor,
        trust,
        status,
    }
}

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_file())
                .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The body of the `verify_qr` fuzz target.
fn verify_qr(w: &World, data: &[u8]) {
    let Ok(qr) = std::str::from_utf8(data) else {
        return;
    };
    for purpose in [Purpose::Notice, Purpose::CardInstall, Purpose::Presentation] {
        for status in [None, Some(&w.status)] {
            if let Ok(v) = verify(qr, &w.trust, status, w.now, purpose) {
                assert!(w.trust.key(&v.issuer.kid()).is_some());
            }
        }
    }
}

/// The body of the `decode_cose` fuzz target.
fn decode_cose(w: &World, data: &[u8]) {
    let _ = cbor_guard::check(data);
    if let Ok(parsed) = cose::parse(data) {
        let _ = Claims::from_cbor(&parsed.payload);
        if let Some(key) = parsed.kid().and_then(|k| w.trust.key(&k)) {
            let _ = parsed.verify(&key.public_key);
        }
    }
    let _ = Claims::from_cbor(data);
    let _ = StatusList::from_token(data, &w.trust);
    let _ = TrustList::from_signed(data, &w.anchor, w.now);
}

/// Every input kept here is hostile: besides not panicking, none may verify.
#[test]
fn verify_qr_regressions() {
    let w = world();
    for (name, data) in inputs("verify_qr") {
        eprintln!("{name}");
        verify_qr(&w, &data);
        let qr = String::from_utf8_lossy(&data);
        for purpose in [Purpose::Notice, Purpose::CardInstall, Purpose::Presentation] {
            let verdict = verify(&qr, &w.trust, Some(&w.status), w.now, purpose);
            assert!(verdict.is_err(), "{name} verified: {verdict:?}");
        }
    }
}

#[test]
fn decode_cose_regressions() {
    let w = world();
    for (name, data) in inputs("decode_cose") {
        eprintln!("{name}");
        decode_cose(&w, &data);
    }
}
