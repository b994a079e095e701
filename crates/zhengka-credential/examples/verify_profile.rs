//! Runs full offline verifies and bare signature verifies in one process, for
//! instruction counts under callgrind (stable on a noisy machine):
//!
//! ```text
//! cargo build --release -p zhengka-credential --example verify_profile
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!     target/release/examples/verify_profile ES256 200
//! callgrind_annotate --inclusive=yes /tmp/cg.out | grep -E 'verify_with|PublicKey::verify'
//! ```
//! The first argument is the algorithm (`ES256`, `SM2-SM3`, `EdDSA`), the second
//! the number of iterations of each (run in interleaved batches of 20).
//! Without valgrind it prints wall-clock medians and the median bare/full ratio.
use std::hint::black_box;
use std::time::Instant;
use zhengka_credential::*;

const NOW: i64 = 1_767_225_600;

fn facts() -> PermitFacts {
    PermitFacts {
        permit_number: "330100202600012345".into(),
        holder_name: "MARTIN ANNA MARIA".into(),
        nationality: "DEU".into(),
        date_of_birth: "1990-04-02".into(),
        employer_name: "杭州示例科技有限公司".into(),
        employer_uscc: "91350100M000100Y43".into(),
        class: "B".into(),
        position: "Software engineer".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2027-12-31".into(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let alg_name = args.next().unwrap_or_else(|| "ES256".into());
    let n: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let alg = Algorithm::ALL
        .into_iter()
        .find(|a| a.name() == alg_name)
        .expect("algorithm: ES256, SM2-SM3 or EdDSA");
    let issuer = Issuer::new(SigningKey::generate(alg).unwrap(), "330100");
    let trust = TrustList {
        iss: "profile".into(),
        seq: 1,
        iat: 0,
        exp: i64::MAX,
        keys: vec![IssuerKey {
            public_key: issuer.public_key().clone(),
            region: "330100".into(),
            purposes: vec![KeyPurpose::Notice, KeyPurpose::Card],
            valid_from: 0,
            valid_to: i64::MAX,
        }],
    };
    let status = StatusRef {
        uri: "https://zhengka.example/s/1".into(),
        idx: 4711,
    };
    let validity = Validity {
        iat: NOW,
        exp: NOW + 86_400,
    };
    let issued = issuer.notice(facts(), "N-1".into(), validity, Some(status));
    let message = vec![0x5au8; 400];
    let key = SigningKey::generate(alg).unwrap();
    let sig = key.sign(&message);

    // Interleaved batches, so load from other processes hits both alike; the
    // ratio reported is the median over rounds of (bare / full) in that round.
    let batch = 20;
    let rounds = n.div_ceil(batch).max(1);
    let (mut fulls, mut bares, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let time_full = || {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(
                    verify(black_box(&issued.qr), &trust, None, NOW, Purpose::Notice).unwrap(),
                );
            }
            start.elapsed().as_secs_f64() / f64::from(batch)
        };
        let time_bare = || {
            let start = Instant::now();
            for _ in 0..batch {
                assert!(key.public_key().verify(black_box(&message), &sig));
            }
            start.elapsed().as_secs_f64() / f64::from(batch)
        };
        let (full, bare) = if round % 2 == 0 {
            let full = time_full();
            (full, time_bare())
        } else {
            let bare = time_bare();
            (time_full(), bare)
        };
        fulls.push(full);
        bares.push(bare);
        ratios.push(bare / full);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{alg}: QR {} chars; median full verify {:.1} µs, bare verify {:.1} µs, \
         median ratio bare/full {:.3} ({rounds} rounds of {batch})",
        issued.qr.len(),
        median(&mut fulls) * 1e6,
        median(&mut bares) * 1e6,
        median(&mut ratios),
    );
}
