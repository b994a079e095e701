//! The hand-written COSE_Sign1 parser against the coset-based one it replaced:
//! on valid credentials and on mutations of them, both accept the same inputs
//! with the same fields, except where the specification now decides (an integer
//! `alg` that IANA does not list is an `algorithm_mismatch`, not `malformed`).
mod common;

use common::*;
use coset::{CborSerializable, CoseSign1, Label, RegisteredLabelWithPrivate as Reg};
use proptest::prelude::*;
use zhengka_credential::codec::cbor_guard;
use zhengka_credential::*;

type Fields = (i64, Vec<u8>, Option<String>, Vec<u8>, Vec<u8>, Vec<u8>);

/// The parser of the first version, on coset and ciborium.
fn reference(bytes: &[u8]) -> Option<Fields> {
    cbor_guard::check(bytes).ok()?;
    let sign1 = if bytes.first() == Some(&0xd2) {
        coset::TaggedCborSerializable::from_tagged_slice(bytes)
    } else {
        CoseSign1::from_slice(bytes)
    }
    .ok()?;
    cbor_guard::check(sign1.protected.original_data.as_deref().unwrap_or(&[0xa0])).ok()?;
    if !sign1.unprotected.is_empty() {
        return None;
    }
    let header = &sign1.protected.header;
    let only_known = header.crit.is_empty()
        && header.content_type.is_none()
        && header.iv.is_empty()
        && header.partial_iv.is_empty()
        && header.counter_signatures.is_empty()
        && header.rest.iter().all(|(l, _)| *l == Label::Int(16));
    if !only_known {
        return None;
    }
    let payload = sign1.payload.clone()?;
    cbor_guard::check(&payload).ok()?;
    let alg = match header.alg.as_ref()? {
        Reg::Assigned(a) => *a as i64,
        Reg::PrivateUse(v) => *v,
        Reg::Text(_) => return None,
    };
    let typ = match header.rest.first() {
        None => None,
        Some((_, ciborium::Value::Text(t))) => Some(t.clone()),
        Some(_) => return None,
    };
    Some((
        alg,
        header.key_id.clone(),
        typ,
        payload,
        sign1.tbs_data(&[]),
        sign1.signature.clone(),
    ))
}

fn ours(bytes: &[u8]) -> Option<Fields> {
    let p = cose::parse(bytes).ok()?;
    Some((
        p.alg,
        p.kid.clone(),
        p.typ.clone(),
        p.payload.clone(),
        p.tbs().to_vec(),
        p.signature().to_vec(),
    ))
}

fn agree(bytes: &[u8]) -> Result<(), String> {
    let (old, new) = (reference(bytes), ours(bytes));
    let unlisted_alg = |f: &Fields| coset::iana::Algorithm::from_i64(f.0).is_none() && f.0 > -65537;
    match (&old, &new) {
        (None, Some(f)) if unlisted_alg(f) => Ok(()),
        _ if old == new => Ok(()),
        _ => Err(format!("{bytes:02x?}: reference {old:?}, ours {new:?}")),
    }
}

use coset::iana::EnumI64;

static SAMPLES: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(|| {
    let world = World::new();
    let device = SigningKey::generate(Algorithm::Es256).unwrap();
    let card = world.card(0, &device);
    let mut samples = vec![
        world.notice(0, 1).cose,
        world.notice(1, 2).cose,
        card.cose.clone(),
        issue::present_with_nonce(&card.cose, &device, NOW, vec![7; 16]).cose,
        world.trust.sign(&world.anchor),
    ];
    samples.push(
        StatusList {
            uri: STATUS_URI.into(),
            iat: NOW,
            exp: NOW + DAY,
            ttl: 60,
            bits: StatusBits::new(64),
        }
        .sign(&world.status_key),
    );
    samples
});

#[test]
fn valid_credentials_parse_the_same() {
    for sample in SAMPLES.iter() {
        assert!(ours(sample).is_some());
        agree(sample).unwrap();
        // Untagged too.
        agree(&sample[1..]).unwrap();
    }
}

#[test]
fn hand_made_headers_parse_the_same() {
    // [protected header bytes], each wrapped in a COSE_Sign1 with payload {} and a
    // 1-byte signature.
    let headers: &[&[u8]] = &[
        &[],
        &[0xa0],
        &[0xa1, 0x01, 0x26],
        &[0xa1, 0x01, 0x27],
        &[0xa1, 0x01, 0x39, 0x03, 0xe7], // alg -1000: unlisted
        &[0xa1, 0x01, 0x3a, 0x00, 0x01, 0x00, 0x00], // alg -65537
        &[0xa1, 0x01, 0x3a, 0x00, 0x01, 0x00, 0x01], // alg -65538
        &[0xa1, 0x01, 0x61, 0x41],       // text alg
        &[0xa1, 0x01, 0x40],             // bstr alg
        &[0xa2, 0x01, 0x26, 0x04, 0x40], // empty kid
        &[0xa2, 0x01, 0x26, 0x04, 0x00], // int kid
        &[0xa2, 0x01, 0x26, 0x10, 0x61, 0x74], // typ "t"
        &[0xa2, 0x01, 0x26, 0x10, 0x00], // int typ
        &[0xa2, 0x01, 0x26, 0x02, 0x81, 0x01], // crit
        &[0xa2, 0x01, 0x26, 0x03, 0x00], // content type
        &[0xa2, 0x01, 0x26, 0x05, 0x40], // iv
        &[0xa2, 0x01, 0x26, 0x06, 0x40], // partial iv
        &[0xa2, 0x01, 0x26, 0x07, 0x80], // counter signature
        &[0xa2, 0x01, 0x26, 0x18, 0x21, 0x00], // label 33
        &[0xa2, 0x01, 0x26, 0x61, 0x78, 0x00], // label "x"
        &[0xa2, 0x01, 0x26, 0x01, 0x26], // duplicate alg
        &[0xa2, 0x01, 0x26, 0x18, 0x01, 0x26], // duplicate, other encoding
        &[0x80],                         // not a map
        &[0xa1, 0x01, 0x26, 0x00],       // trailing byte
    ];
    for header in headers {
        for unprotected in [&[0xa0][..], &[0xa1, 0x04, 0x40], &[0x80]] {
            for payload in [&[0x41, 0xa0][..], &[0xf6], &[0x40], &[0x60]] {
                for tag in [&[][..], &[0xd2], &[0xd8, 0x12], &[0xd1]] {
                    let mut cose = tag.to_vec();
                    cose.push(0x84);
                    cose.push(0x40 + header.len() as u8);
                    cose.extend_from_slice(header);
                    cose.extend_from_slice(unprotected);
                    cose.extend_from_slice(payload);
                    cose.extend_from_slice(&[0x41, 0x00]);
                    agree(&cose).unwrap();
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutations_parse_the_same(
        which in 0usize..6,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..4),
    ) {
        let mut bytes = SAMPLES[which].clone();
        for (at, value, kind) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match kind {
                0 => bytes[i] = value,
                1 => bytes[i] ^= 1 << (value % 8),
                2 => bytes.insert(i, value),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        prop_assert!(agree(&bytes).is_ok(), "{}", agree(&bytes).unwrap_err());
    }
}
