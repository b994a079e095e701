//! Ed25519 with ring vs ed25519-dalek, zhengka's full Notice verify, and
//! claim169-core's decode + verify of its own QR, in interleaved rounds of 20 (the
//! order rotates every round, so load hits all alike); then Ed25519 batches of 64
//! and 1024 items, batch against one by one. Ratios are per round, then the median.
//! Not part of the workspace: claim169-core is only a yardstick here.
//!
//! ```text
//! cd tools/ed25519-compare && cargo run --release -- 300
//! ```
use std::hint::black_box;
use std::time::Instant;

use ed25519_dalek::{Signer, Verifier};
use ring::signature::{self as rs, KeyPair};
use zhengka_credential as zk;

const NOW: i64 = 1_767_225_600;

fn facts() -> zk::PermitFacts {
    zk::PermitFacts {
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

fn zk_setup(alg: zk::Algorithm) -> (String, zk::TrustList) {
    let issuer = zk::Issuer::new(zk::SigningKey::generate(alg).unwrap(), "330100");
    let trust = zk::TrustList {
        iss: "bench".into(),
        seq: 1,
        iat: 0,
        exp: i64::MAX,
        keys: vec![zk::IssuerKey {
            public_key: issuer.public_key().clone(),
            region: "330100".into(),
            purposes: vec![zk::KeyPurpose::Notice, zk::KeyPurpose::Card],
            valid_from: 0,
            valid_to: i64::MAX,
        }],
    };
    let status = zk::StatusRef {
        uri: "https://zhengka.example/s/1".into(),
        idx: 4711,
    };
    let v = zk::Validity {
        iat: NOW,
        exp: NOW + 86_400,
    };
    (
        issuer.notice(facts(), "N-1".into(), v, Some(status)).qr,
        trust,
    )
}

fn c169_claim() -> claim169_core::Claim169 {
    claim169_core::Claim169::default()
        .with_id("330100202600012345")
        .with_full_name("MARTIN ANNA MARIA")
        .with_date_of_birth("1990-04-02")
        .with_nationality("DEU")
        .with_address("杭州示例科技有限公司 Software engineer")
        .with_email("anna.martin@example.com")
        .with_phone("+8613800000000")
}

fn c169_meta() -> claim169_core::CwtMeta {
    claim169_core::CwtMeta::new()
        .with_issuer("https://zhengka.example")
        .with_issued_at(NOW)
        .with_expires_at(4_000_000_000)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<F: FnMut()>(batch: u32, mut f: F) -> f64 {
    let start = Instant::now();
    for _ in 0..batch {
        f();
    }
    start.elapsed().as_secs_f64() / f64::from(batch)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let message = vec![0x5au8; 400];
    // ring key and signature; the same key in dalek.
    let rng = ring::rand::SystemRandom::new();
    let der = rs::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let kp = rs::Ed25519KeyPair::from_pkcs8(der.as_ref()).unwrap();
    let pk: [u8; 32] = kp.public_key().as_ref().try_into().unwrap();
    let sig_bytes: [u8; 64] = kp.sign(&message).as_ref().try_into().unwrap();
    let dk = ed25519_dalek::VerifyingKey::from_bytes(&pk).unwrap();
    let dsig = ed25519_dalek::Signature::from_bytes(&sig_bytes);

    let (zk_ed_qr, zk_ed_trust) = zk_setup(zk::Algorithm::EdDsa);
    let (zk_es_qr, zk_es_trust) = zk_setup(zk::Algorithm::Es256);

    let c169_sk = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
    let c169_pk = c169_sk.verifying_key().to_bytes();
    let c169_ed = claim169_core::Encoder::new(c169_claim(), c169_meta())
        .sign_with_ed25519(&c169_sk.to_bytes())
        .unwrap()
        .encode()
        .unwrap()
        .qr_data;
    let p256_sk = p256_key();
    let c169_es = claim169_core::Encoder::new(c169_claim(), c169_meta())
        .sign_with_ecdsa_p256(&p256_sk.0)
        .unwrap()
        .encode()
        .unwrap()
        .qr_data;
    println!(
        "QR chars: zhengka EdDSA {}, ES256 {}; claim169 EdDSA {}, ES256 {}",
        zk_ed_qr.len(),
        zk_es_qr.len(),
        c169_ed.len(),
        c169_es.len()
    );

    type Case<'a> = (&'static str, Box<dyn FnMut() + 'a>);
    let mut cases: Vec<Case> = vec![
        (
            "ring_bare",
            Box::new(|| {
                assert!(
                    rs::UnparsedPublicKey::new(&rs::ED25519, &pk)
                        .verify(black_box(&message), &sig_bytes)
                        .is_ok()
                )
            }),
        ),
        (
            "dalek_verify",
            Box::new(|| {
                let k = ed25519_dalek::VerifyingKey::from_bytes(black_box(&pk)).unwrap();
                assert!(k.verify(black_box(&message), &dsig).is_ok())
            }),
        ),
        (
            "dalek_strict",
            Box::new(|| {
                let k = ed25519_dalek::VerifyingKey::from_bytes(black_box(&pk)).unwrap();
                assert!(k.verify_strict(black_box(&message), &dsig).is_ok())
            }),
        ),
        (
            "dalek_strict_parsed_key",
            Box::new(|| assert!(dk.verify_strict(black_box(&message), &dsig).is_ok())),
        ),
        (
            "zk_notice_eddsa",
            Box::new(|| {
                black_box(
                    zk::verify(
                        black_box(&zk_ed_qr),
                        &zk_ed_trust,
                        None,
                        NOW,
                        zk::Purpose::Notice,
                    )
                    .unwrap(),
                );
            }),
        ),
        (
            "zk_notice_es256",
            Box::new(|| {
                black_box(
                    zk::verify(
                        black_box(&zk_es_qr),
                        &zk_es_trust,
                        None,
                        NOW,
                        zk::Purpose::Notice,
                    )
                    .unwrap(),
                );
            }),
        ),
        (
            "c169_eddsa",
            Box::new(|| {
                black_box(
                    claim169_core::Decoder::new(black_box(c169_ed.as_str()))
                        .verify_with_ed25519(&c169_pk)
                        .unwrap()
                        .decode()
                        .unwrap(),
                );
            }),
        ),
        (
            "c169_es256",
            Box::new(|| {
                black_box(
                    claim169_core::Decoder::new(black_box(c169_es.as_str()))
                        .verify_with_ecdsa_p256(&p256_sk.1)
                        .unwrap()
                        .decode()
                        .unwrap(),
                );
            }),
        ),
    ];
    let n = cases.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); n];
    let batch = 20;
    for round in 0..rounds {
        for j in 0..n {
            let i = (j + round) % n; // rotate the order each round
            times[i].push(time(batch, &mut cases[i].1));
        }
    }
    let base: Vec<f64> = times[0].clone();
    println!(
        "{rounds} rounds of {batch}; median µs and median per-round ratio to ring_bare (time/ring time):"
    );
    for (i, (name, _)) in cases.iter().enumerate() {
        let mut ratios: Vec<f64> = times[i].iter().zip(&base).map(|(t, b)| t / b).collect();
        let mut t = times[i].clone();
        println!(
            "  {name:26} {:8.1} µs   {:.3}x",
            median(&mut t) * 1e6,
            median(&mut ratios)
        );
    }
    let pair = |a: usize, b: usize| {
        let mut r: Vec<f64> = times[a].iter().zip(&times[b]).map(|(x, y)| x / y).collect();
        median(&mut r)
    };
    println!(
        "  c169_eddsa / zk_notice_eddsa (>1: zhengka faster): {:.3}",
        pair(6, 4)
    );
    println!(
        "  c169_es256 / zk_notice_es256 (>1: zhengka faster): {:.3}",
        pair(7, 5)
    );
    println!(
        "  zk_notice_eddsa / ring_bare: {:.3};  ring_bare / dalek_strict: {:.3}",
        pair(4, 0),
        pair(0, 2)
    );
    drop(cases);
    batches();
}

fn p256_key() -> ([u8; 32], Vec<u8>) {
    // A fixed valid scalar; the public key from ring's PKCS#8 import would need DER,
    // so derive it with claim169's own signer API instead.
    let sk = [7u8; 32];
    let signer = claim169_core::EcdsaP256Signer::from_bytes(&sk).unwrap();
    (sk, signer.public_key_uncompressed().to_vec())
}

fn batches() {
    for n in [64usize, 1024] {
        let keys: Vec<ed25519_dalek::SigningKey> = (0..n)
            .map(|_| ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng))
            .collect();
        let msgs: Vec<Vec<u8>> = (0..n)
            .map(|i| format!("gate-log item {i} {}", "x".repeat(200)).into_bytes())
            .collect();
        let sigs: Vec<ed25519_dalek::Signature> =
            keys.iter().zip(&msgs).map(|(k, m)| k.sign(m)).collect();
        let vks: Vec<ed25519_dalek::VerifyingKey> =
            keys.iter().map(|k| k.verifying_key()).collect();
        let pks: Vec<[u8; 32]> = vks.iter().map(|k| k.to_bytes()).collect();
        let sbs: Vec<[u8; 64]> = sigs.iter().map(|s| s.to_bytes()).collect();
        let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
        let rounds = if n == 64 { 60 } else { 8 };
        {
            let zks: Vec<zk::PublicKey> = pks
                .iter()
                .map(|p| zk::PublicKey::from_bytes(zk::Algorithm::EdDsa, p).unwrap())
                .collect();
            let items: Vec<zk::SignedItem> = (0..n)
                .map(|i| zk::SignedItem {
                    key: &zks[i],
                    message: refs[i],
                    signature: &sbs[i],
                })
                .collect();
            let (mut one, mut bat, mut ring1, mut rr, mut ro) =
                (vec![], vec![], vec![], vec![], vec![]);
            for round in 0..rounds {
                let t_ring = || {
                    time(1, || {
                        for i in 0..n {
                            assert!(
                                rs::UnparsedPublicKey::new(&rs::ED25519, &pks[i])
                                    .verify(refs[i], &sbs[i])
                                    .is_ok()
                            )
                        }
                    })
                };
                let t_one = || {
                    time(1, || {
                        for it in &items {
                            assert!(it.key.verify(it.message, it.signature))
                        }
                    })
                };
                let t_bat = || {
                    time(1, || {
                        assert!(zk::verify_batch(black_box(&items)).iter().all(|v| *v))
                    })
                };
                let (a, b, c) = if round % 2 == 0 {
                    (t_ring(), t_one(), t_bat())
                } else {
                    let c = t_bat();
                    let b = t_one();
                    (t_ring(), b, c)
                };
                ring1.push(a);
                one.push(b);
                bat.push(c);
                rr.push(c / a);
                ro.push(c / b);
            }
            println!(
                "zhengka crate, {n} items: per item median µs: ring one-by-one {:.1}, PublicKey::verify one-by-one {:.1}, verify_batch {:.1}; verify_batch/ring-one {:.3}x, verify_batch/verify-one {:.3}x",
                median(&mut ring1) * 1e6 / n as f64,
                median(&mut one) * 1e6 / n as f64,
                median(&mut bat) * 1e6 / n as f64,
                median(&mut rr),
                median(&mut ro)
            );
        }
        let (mut ring_t, mut one_t, mut batch_t, mut r1, mut r2) =
            (vec![], vec![], vec![], vec![], vec![]);
        for round in 0..rounds {
            let t_ring = || {
                time(1, || {
                    for i in 0..n {
                        assert!(
                            rs::UnparsedPublicKey::new(&rs::ED25519, &pks[i])
                                .verify(refs[i], &sbs[i])
                                .is_ok()
                        )
                    }
                })
            };
            let t_one = || {
                time(1, || {
                    for i in 0..n {
                        assert!(vks[i].verify_strict(refs[i], &sigs[i]).is_ok())
                    }
                })
            };
            let t_batch = || {
                time(1, || {
                    assert!(ed25519_dalek::verify_batch(&refs, &sigs, &vks).is_ok())
                })
            };
            let (a, b, c) = if round % 2 == 0 {
                (t_ring(), t_one(), t_batch())
            } else {
                let c = t_batch();
                let b = t_one();
                (t_ring(), b, c)
            };
            ring_t.push(a);
            one_t.push(b);
            batch_t.push(c);
            r1.push(c / a);
            r2.push(c / b);
        }
        println!(
            "batch of {n}: per item median µs: ring one-by-one {:.1}, dalek strict one-by-one {:.1}, dalek verify_batch {:.1}; batch/ring {:.3}x, batch/dalek-one {:.3}x ({rounds} rounds)",
            median(&mut ring_t) * 1e6 / n as f64,
            median(&mut one_t) * 1e6 / n as f64,
            median(&mut batch_t) * 1e6 / n as f64,
            median(&mut r1),
            median(&mut r2)
        );
    }
}
