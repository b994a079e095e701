//! The list of vectors: valid credentials of each kind and algorithm, and one
//! forged or out-of-date credential per rejection reason.

use coset::{CoseSign1, TaggedCborSerializable};
use serde_json::{Value, json};
use zhengka_credential::codec::encode_qr;
use zhengka_credential::issue::present_with_nonce;
use zhengka_credential::*;

use super::{Keys, claims_json};
use crate::common::{DAY, NOW, STATUS_URI, facts};

fn vector(name: &str, purpose: &str, now: i64, qr: &str, status: bool, expected: &str) -> Value {
    json!({"name": name, "purpose": purpose, "now": now, "qr": qr, "use_status_list": status, "expected": expected})
}

fn notice(keys: &Keys, issuer: &str, idx: u32) -> Issued {
    let validity = Validity {
        iat: NOW - DAY,
        exp: NOW + 365 * DAY,
    };
    let status = Some(StatusRef {
        uri: STATUS_URI.into(),
        idx,
    });
    keys.issuer(issuer)
        .notice(facts(), "N-2026-000123".into(), validity, status)
}

/// Re-signs nothing: swaps the protected header's bytes or the signature of a COSE.
fn tamper(cose: &[u8], edit: impl FnOnce(&mut CoseSign1)) -> String {
    let mut sign1 = CoseSign1::from_tagged_slice(cose).unwrap();
    edit(&mut sign1);
    encode_qr(&sign1.to_tagged_vec().unwrap())
}

pub fn build(keys: &Keys, trust: &TrustList) -> Vec<Value> {
    let mut out = Vec::new();
    for (name, issuer) in [
        ("es256", "issuer-es256"),
        ("sm2", "issuer-sm2"),
        ("eddsa", "issuer-eddsa"),
    ] {
        let qr = notice(keys, issuer, 7).qr;
        let mut v = vector(
            &format!("notice-{name}-valid"),
            "notice",
            NOW,
            &qr,
            true,
            "valid",
        );
        let verified = verify(&qr, trust, None, NOW, Purpose::Notice).unwrap();
        v["claims"] = claims_json(&verified.claims);
        out.push(v);
    }
    let device = keys.get("device-es256");
    let validity = Validity {
        iat: NOW - DAY,
        exp: NOW + 365 * DAY,
    };
    let status = Some(StatusRef {
        uri: STATUS_URI.into(),
        idx: 42,
    });
    let card =
        keys.issuer("issuer-es256")
            .card(facts(), device.public_key().clone(), validity, status);
    out.push(vector(
        "card-es256-valid",
        "card_install",
        NOW,
        &card.qr,
        true,
        "valid",
    ));
    let shown = present_with_nonce(&card.cose, device, NOW, vec![0x11; 16]).qr;
    out.push(vector(
        "presentation-es256-valid",
        "presentation",
        NOW + 5,
        &shown,
        true,
        "valid",
    ));
    out.push(vector(
        "presentation-replayed-later",
        "presentation",
        NOW + 60,
        &shown,
        true,
        "replayed_or_stale_presentation",
    ));
    out.push(vector(
        "card-shown-as-presentation",
        "presentation",
        NOW,
        &card.qr,
        false,
        "wrong_kind_for_purpose",
    ));
    let good = notice(keys, "issuer-es256", 7);
    out.push(vector(
        "notice-at-a-gate",
        "presentation",
        NOW,
        &good.qr,
        false,
        "wrong_kind_for_purpose",
    ));
    out.push(vector(
        "notice-revoked",
        "notice",
        NOW,
        &notice(keys, "issuer-es256", 1001).qr,
        true,
        "revoked",
    ));
    out.push(vector(
        "notice-suspended",
        "notice",
        NOW,
        &notice(keys, "issuer-sm2", 1002).qr,
        true,
        "suspended",
    ));
    out.push(vector(
        "notice-expired",
        "notice",
        NOW + 400 * DAY,
        &good.qr,
        false,
        "expired",
    ));
    out.push(vector(
        "notice-not-yet-valid",
        "notice",
        NOW - 5 * DAY,
        &good.qr,
        false,
        "not_yet_valid",
    ));
    out.push(vector(
        "notice-retired-key",
        "notice",
        NOW,
        &notice(keys, "issuer-es256-retired", 7).qr,
        false,
        "key_expired",
    ));
    let bad_sig = tamper(&good.cose, |s| s.signature[10] ^= 1);
    out.push(vector(
        "notice-bad-signature",
        "notice",
        NOW,
        &bad_sig,
        false,
        "bad_signature",
    ));
    let sm2_sig_bad = tamper(&notice(keys, "issuer-sm2", 7).cose, |s| {
        s.signature[63] ^= 0x80
    });
    out.push(vector(
        "notice-sm2-bad-signature",
        "notice",
        NOW,
        &sm2_sig_bad,
        false,
        "bad_signature",
    ));
    let stranger = Issuer::new(
        SigningKey::from_pkcs8(Algorithm::Es256, keys.get("device-es256").to_pkcs8()).unwrap(),
        "330100",
    );
    let unknown = stranger
        .notice(
            facts(),
            "N".into(),
            Validity {
                iat: NOW,
                exp: NOW + DAY,
            },
            None,
        )
        .qr;
    out.push(vector(
        "notice-unknown-key",
        "notice",
        NOW,
        &unknown,
        false,
        "unknown_key",
    ));
    out.push(vector(
        "notice-sm2-sig-claims-es256",
        "notice",
        NOW,
        &alg_swapped(keys),
        false,
        "algorithm_mismatch",
    ));
    let moved = tamper(&good.cose, |s| {
        s.unprotected.key_id = s.protected.header.key_id.clone();
        s.protected.header.key_id.clear();
        s.protected.original_data = None;
    });
    out.push(vector(
        "notice-kid-unprotected",
        "notice",
        NOW,
        &moved,
        false,
        "malformed",
    ));
    out.push(vector(
        "not-our-prefix",
        "notice",
        NOW,
        &good.qr.replacen("ZK1:", "HC1:", 1),
        false,
        "malformed",
    ));
    out
}

/// An SM2-signed notice whose header claims ES256 (alg confusion).
fn alg_swapped(keys: &Keys) -> String {
    let cose = notice(keys, "issuer-sm2", 7).cose;
    tamper(&cose, |s| {
        s.protected.header.alg = Some(coset::RegisteredLabelWithPrivate::Assigned(
            coset::iana::Algorithm::ES256,
        ));
        s.protected.original_data = None;
    })
}
