//! Forged, replayed and hostile inputs: every one is refused, none panics.
mod common;

use common::*;
use coset::{CborSerializable, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use proptest::prelude::*;
use zhengka_credential::codec::{deflate, encode_qr};
use zhengka_credential::*;

/// Signs `payload` by hand so a test can shape the headers.
fn forge(
    key: &SigningKey,
    protected: HeaderBuilder,
    unprotected: HeaderBuilder,
    payload: Vec<u8>,
) -> String {
    let cose = CoseSign1Builder::new()
        .protected(protected.build())
        .unprotected(unprotected.build())
        .payload(payload)
        .create_signature(&[], |tbs| key.sign(tbs))
        .build()
        .to_tagged_vec()
        .unwrap();
    encode_qr(&cose)
}

fn notice_payload() -> Vec<u8> {
    let body = Body::Notice {
        facts: facts(),
        notice_id: "N".into(),
    };
    Claims {
        iss: Some(REGION.into()),
        iat: NOW,
        nbf: None,
        exp: Some(NOW + DAY),
        status: None,
        body,
    }
    .to_cbor()
}

fn key_of(world: &World, i: usize) -> SigningKey {
    let _ = world;
    SigningKey::generate(Algorithm::ALL[i]).unwrap()
}

#[test]
fn algorithm_confusion_is_a_mismatch() {
    let world = World::new();
    let mut trust = world.trust.clone();
    let key = SigningKey::generate(Algorithm::Es256).unwrap();
    trust
        .keys
        .push(issuer_key(key.public_key(), vec![KeyPurpose::Notice]));
    let kid = key.public_key().kid().0.to_vec();
    for claimed in [
        iana::Algorithm::EdDSA,
        iana::Algorithm::ES384,
        iana::Algorithm::PS256,
    ] {
        let header = HeaderBuilder::new().algorithm(claimed).key_id(kid.clone());
        let qr = forge(&key, header, HeaderBuilder::new(), notice_payload());
        assert_eq!(
            verify(&qr, &trust, None, NOW, Purpose::Notice),
            Err(Rejection::AlgorithmMismatch)
        );
    }
    let sm2 =
        HeaderBuilder::new().algorithm_label(coset::RegisteredLabelWithPrivate::PrivateUse(-65537));
    let qr = forge(
        &key,
        sm2.key_id(kid),
        HeaderBuilder::new(),
        notice_payload(),
    );
    assert_eq!(
        verify(&qr, &trust, None, NOW, Purpose::Notice),
        Err(Rejection::AlgorithmMismatch)
    );
}

#[test]
fn unknown_kid_and_kid_only_unprotected() {
    let world = World::new();
    let stranger = key_of(&world, 0);
    let header = || HeaderBuilder::new().algorithm(iana::Algorithm::ES256);
    let kid = stranger.public_key().kid().0.to_vec();
    let qr = forge(
        &stranger,
        header().key_id(kid),
        HeaderBuilder::new(),
        notice_payload(),
    );
    assert_eq!(
        verify(&qr, &world.trust, None, NOW, Purpose::Notice),
        Err(Rejection::UnknownKey)
    );
    let trusted = world.issuers[0].public_key().kid().0.to_vec();
    let qr = forge(
        &stranger,
        header(),
        HeaderBuilder::new().key_id(trusted),
        notice_payload(),
    );
    let verdict = verify(&qr, &world.trust, None, NOW, Purpose::Notice);
    assert!(
        matches!(verdict, Err(Rejection::Malformed(_))),
        "{verdict:?}"
    );
}

#[test]
fn unknown_critical_header_is_refused() {
    let world = World::new();
    let key = key_of(&world, 0);
    let header = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(key.public_key().kid().0.to_vec())
        .add_critical_label(coset::RegisteredLabelWithPrivate::PrivateUse(-70000))
        .value(-70000, ciborium::Value::Bool(true));
    let qr = forge(&key, header, HeaderBuilder::new(), notice_payload());
    assert!(matches!(
        verify(&qr, &world.trust, None, NOW, Purpose::Notice),
        Err(Rejection::Malformed(_))
    ));
}

#[test]
fn key_used_after_its_window_is_expired() {
    let mut world = World::new();
    world.trust.keys[0].valid_to = NOW - 2 * DAY;
    let qr = world.notice(0, 1).qr;
    assert_eq!(
        verify(&qr, &world.trust, None, NOW, Purpose::Notice),
        Err(Rejection::KeyExpired)
    );
}

#[test]
fn rotated_key_still_verifies_what_it_signed() {
    let mut world = World::new();
    world.trust.keys[0].valid_to = NOW;
    let qr = world.notice(0, 1).qr;
    let later = NOW + 30 * DAY;
    assert!(verify(&qr, &world.trust, None, later, Purpose::Notice).is_ok());
}

#[test]
fn oversize_and_bombs_are_refused() {
    let world = World::new();
    let long = format!("ZK1:{}", "0".repeat(3000));
    assert!(matches!(
        verify(&long, &world.trust, None, NOW, Purpose::Notice),
        Err(Rejection::Malformed(_))
    ));
    let bomb = encode_qr_raw(&deflate(&vec![0xa0; 1_000_000]));
    let verdict = verify(&bomb, &world.trust, None, NOW, Purpose::Notice);
    assert_eq!(
        verdict,
        Err(Rejection::Malformed("inflated size over the limit"))
    );
}

fn encode_qr_raw(deflated: &[u8]) -> String {
    format!(
        "ZK1:{}",
        zhengka_credential::codec::base45::encode(deflated)
    )
}

#[test]
fn deep_nesting_and_duplicate_keys_are_refused() {
    let world = World::new();
    let deep = [vec![0x81u8; 200], vec![0x00]].concat();
    let verdict = verify(&encode_qr(&deep), &world.trust, None, NOW, Purpose::Notice);
    assert_eq!(verdict, Err(Rejection::Malformed("CBOR nested too deeply")));
    let mut payload = notice_payload();
    // Turn the outer map into one that repeats `iat` (6) and re-sign honestly.
    payload[0] += 1;
    payload.extend_from_slice(&[0x06, 0x00]);
    let signer = SigningKey::generate(Algorithm::Es256).unwrap();
    let mut trust = world.trust.clone();
    trust
        .keys
        .push(issuer_key(signer.public_key(), vec![KeyPurpose::Notice]));
    let header = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(signer.public_key().kid().0.to_vec());
    let qr = forge(&signer, header, HeaderBuilder::new(), payload);
    assert_eq!(
        verify(&qr, &trust, None, NOW, Purpose::Notice),
        Err(Rejection::Malformed("duplicate CBOR map key"))
    );
}

#[test]
fn untagged_and_tagged_both_decode_but_garbage_does_not() {
    let world = World::new();
    let issued = world.notice(0, 1);
    let untagged = coset::CoseSign1::from_tagged_slice(&issued.cose)
        .unwrap()
        .to_vec()
        .unwrap();
    assert!(
        verify(
            &encode_qr(&untagged),
            &world.trust,
            None,
            NOW,
            Purpose::Notice
        )
        .is_ok()
    );
    for junk in ["", "ZK1:", "ZK1:AAA", "HC1:NCFOXN", "zk1:ABC"] {
        assert!(matches!(
            verify(junk, &world.trust, None, NOW, Purpose::Notice),
            Err(Rejection::Malformed(_))
        ));
    }
}

fn flip_cases() -> u32 {
    std::env::var("ZK_FLIP_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: flip_cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Flipping any one bit of the compressed COSE bytes (or of the QR text's
    /// characters) never yields an accepted credential and never panics.
    #[test]
    fn bit_flips_are_rejected(which in 0usize..3, bit in any::<prop::sample::Index>(), on_text in any::<bool>()) {
        let (world, qrs) = &*FIXTURE;
        let qr = &qrs[which];
        let mutated = if on_text {
            let mut bytes = qr.clone().into_bytes();
            let i = bit.index(bytes.len() * 7);
            bytes[i / 7] ^= 1 << (i % 7);
            String::from_utf8(bytes).unwrap()
        } else {
            let body = zhengka_credential::codec::base45::decode(&qr[4..]).unwrap();
            let mut body = body;
            let i = bit.index(body.len() * 8);
            body[i / 8] ^= 1 << (i % 8);
            encode_qr_raw(&body)
        };
        prop_assume!(mutated != *qr);
        prop_assert!(verify(&mutated, &world.trust, None, NOW, Purpose::Notice).is_err());
    }
}

static FIXTURE: std::sync::LazyLock<(World, Vec<String>)> = std::sync::LazyLock::new(|| {
    let world = World::new();
    let qrs = (0..3).map(|i| world.notice(i, 9).qr).collect();
    (world, qrs)
});

/// Ed25519 is checked as `verify_strict`: a small-order key with the identity as
/// `R` and s = 0 (valid for every message under the plain equation), an `s` not
/// reduced mod L, and any flipped bit of a good signature are all refused.
#[test]
fn ed25519_verify_is_strict() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = PublicKey::from_bytes(Algorithm::EdDsa, &identity).unwrap();
    let forged = [&identity[..], &[0u8; 32]].concat();
    assert!(!weak.verify(b"any message", &forged));

    let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
    let message = b"gate 7 log line";
    let good = key.sign(message);
    assert!(key.public_key().verify(message, &good));
    // s + L: the same scalar mod L, not canonically encoded.
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut unreduced = good.clone();
    let mut carry = 0u16;
    for (byte, l) in unreduced[32..].iter_mut().zip(L) {
        let sum = u16::from(*byte) + u16::from(l) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert!(!key.public_key().verify(message, &unreduced));
    for bit in 0..good.len() * 8 {
        let mut flipped = good.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        assert!(!key.public_key().verify(message, &flipped), "bit {bit}");
    }
    // Not a point: refused when the key is read.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert!(PublicKey::from_bytes(Algorithm::EdDsa, &not_a_point).is_err());
}
