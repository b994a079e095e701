//! Full offline verify per algorithm, bare signature verify, issuance, QR rendering,
//! Ed25519 batch verification against one by one.
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
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

fn setup(alg: Algorithm) -> (Issuer, TrustList) {
    let issuer = Issuer::new(SigningKey::generate(alg).unwrap(), "330100");
    let key = IssuerKey {
        public_key: issuer.public_key().clone(),
        region: "330100".into(),
        purposes: vec![KeyPurpose::Notice, KeyPurpose::Card],
        valid_from: 0,
        valid_to: i64::MAX,
    };
    let trust = TrustList {
        iss: "bench".into(),
        seq: 1,
        iat: 0,
        exp: i64::MAX,
        keys: vec![key],
    };
    (issuer, trust)
}

fn notice(issuer: &Issuer) -> Issued {
    let status = StatusRef {
        uri: "https://zhengka.example/s/1".into(),
        idx: 4711,
    };
    issuer.notice(
        facts(),
        "N-1".into(),
        Validity {
            iat: NOW,
            exp: NOW + 86_400,
        },
        Some(status),
    )
}

fn benches(c: &mut Criterion) {
    let message = vec![0x5au8; 400];
    for alg in Algorithm::ALL {
        let (issuer, trust) = setup(alg);
        let qr = notice(&issuer).qr;
        c.bench_function(&format!("verify_notice/{alg}"), |b| {
            b.iter(|| verify(black_box(&qr), &trust, None, NOW, Purpose::Notice).unwrap())
        });
        let key = SigningKey::generate(alg).unwrap();
        let sig = key.sign(&message);
        c.bench_function(&format!("bare_verify/{alg}"), |b| {
            b.iter(|| assert!(key.public_key().verify(black_box(&message), &sig)))
        });
        c.bench_function(&format!("issue_notice/{alg}"), |b| {
            b.iter(|| notice(&issuer))
        });
    }
    let (issuer, trust) = setup(Algorithm::Es256);
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let card = issuer.card(
        facts(),
        device.public_key().clone(),
        Validity {
            iat: NOW,
            exp: NOW + 1,
        },
        None,
    );
    let shown = present(&card.cose, &device, NOW).unwrap();
    c.bench_function("verify_presentation/ES256+ES256", |b| {
        b.iter(|| {
            verify(
                black_box(&shown.qr),
                &trust,
                None,
                NOW,
                Purpose::Presentation,
            )
            .unwrap()
        })
    });
    let qr = notice(&issuer).qr;
    c.bench_function("qr_render_matrix_and_path", |b| {
        b.iter(|| QrMatrix::encode(black_box(&qr)).unwrap().path_data())
    });
}

/// Gate log items, each signed by its own gate's Ed25519 key: `verify_batch` vs
/// `PublicKey::verify` one by one (per-item time = reported time / n).
fn batches(c: &mut Criterion) {
    for n in [64usize, 1024] {
        let signed: Vec<(PublicKey, Vec<u8>, Vec<u8>)> = (0..n)
            .map(|i| {
                let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
                let line = format!("gate {i} log line {}", "x".repeat(200)).into_bytes();
                let sig = key.sign(&line);
                (key.public_key().clone(), line, sig)
            })
            .collect();
        let items: Vec<SignedItem> = signed
            .iter()
            .map(|(key, message, signature)| SignedItem {
                key,
                message,
                signature,
            })
            .collect();
        c.bench_function(&format!("eddsa_{n}/batch"), |b| {
            b.iter(|| assert!(verify_batch(black_box(&items)).iter().all(|ok| *ok)))
        });
        c.bench_function(&format!("eddsa_{n}/one_by_one"), |b| {
            b.iter(|| {
                for item in black_box(&items) {
                    assert!(item.key.verify(item.message, item.signature));
                }
            })
        });
    }
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = benches, batches
}
criterion_main!(group);
