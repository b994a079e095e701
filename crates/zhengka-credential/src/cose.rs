//! COSE_Sign1 (RFC 9052) as this format uses it: tag 18, a protected header with
//! `alg`, `kid` and optionally `typ`, an empty unprotected header, an attached
//! payload, empty external AAD.

use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, Label,
    RegisteredLabelWithPrivate as Reg, TaggedCborSerializable, iana,
};

use crate::alg::Algorithm;
use crate::codec::cbor_guard;
use crate::error::Rejection;
use crate::keys::{Kid, PublicKey, SigningKey};

/// COSE header label of `typ` (RFC 9596).
pub const HEADER_TYP: i64 = 16;

/// A COSE_Sign1 whose structure passed the strict checks, signature not yet checked.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The `alg` header value.
    pub alg: i64,
    /// The `kid` from the protected header (empty when absent).
    pub kid: Vec<u8>,
    /// The `typ` header, if any.
    pub typ: Option<String>,
    /// The payload bytes (a CBOR map).
    pub payload: Vec<u8>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

impl Parsed {
    /// The `kid` as a trust-list key identifier, if it has the right length.
    pub fn kid(&self) -> Option<Kid> {
        <[u8; 8]>::try_from(self.kid.as_slice()).ok().map(Kid)
    }

    /// Checks `alg` against the trusted key, then the signature.
    pub fn verify(&self, key: &PublicKey) -> Result<(), Rejection> {
        if Algorithm::from_cose_value(self.alg) != Some(key.alg()) {
            return Err(Rejection::AlgorithmMismatch);
        }
        if !key.verify(&self.tbs, &self.signature) {
            return Err(Rejection::BadSignature);
        }
        Ok(())
    }
}

/// Signs `payload` with `key`, putting `alg`, `kid` (unless `with_kid` is false)
/// and `typ` in the protected header. Returns tagged COSE_Sign1 bytes.
pub fn sign(key: &SigningKey, with_kid: bool, typ: Option<&str>, payload: Vec<u8>) -> Vec<u8> {
    let mut header = HeaderBuilder::new().algorithm_label(alg_label(key.alg()));
    if with_kid {
        header = header.key_id(key.public_key().kid().0.to_vec());
    }
    if let Some(typ) = typ {
        header = header.value(HEADER_TYP, ciborium::Value::Text(typ.to_owned()));
    }
    CoseSign1Builder::new()
        .protected(header.build())
        .payload(payload)
        .create_signature(&[], |tbs| key.sign(tbs))
        .build()
        .to_tagged_vec()
        .expect("encoding a COSE_Sign1 built here cannot fail")
}

fn alg_label(alg: Algorithm) -> coset::Algorithm {
    match alg {
        Algorithm::Es256 => Reg::Assigned(iana::Algorithm::ES256),
        Algorithm::EdDsa => Reg::Assigned(iana::Algorithm::EdDSA),
        Algorithm::Sm2Sm3 => Reg::PrivateUse(alg.cose_value()),
    }
}

/// Parses COSE_Sign1 bytes (tagged 18 or untagged) under the strict rules.
pub fn parse(bytes: &[u8]) -> Result<Parsed, Rejection> {
    cbor_guard::check(bytes)?;
    let sign1 = if bytes.first() == Some(&0xd2) {
        CoseSign1::from_tagged_slice(bytes)
    } else {
        CoseSign1::from_slice(bytes)
    }
    .map_err(|_| "not a COSE_Sign1")?;
    cbor_guard::check(sign1.protected.original_data.as_deref().unwrap_or(&[0xa0]))?;
    if !sign1.unprotected.is_empty() {
        return Err("unprotected header must be empty".into());
    }
    let header = &sign1.protected.header;
    if !header.crit.is_empty() {
        return Err("unknown critical header".into());
    }
    let only_known = header.content_type.is_none()
        && header.iv.is_empty()
        && header.partial_iv.is_empty()
        && header.counter_signatures.is_empty()
        && header
            .rest
            .iter()
            .all(|(l, _)| *l == Label::Int(HEADER_TYP));
    if !only_known {
        return Err("unexpected protected header parameter".into());
    }
    let payload = sign1.payload.clone().ok_or("detached payload")?;
    cbor_guard::check(&payload)?;
    Ok(Parsed {
        alg: alg_value(header.alg.as_ref().ok_or("missing alg header")?)?,
        kid: header.key_id.clone(),
        typ: typ_of(&header.rest)?,
        tbs: sign1.tbs_data(&[]),
        signature: sign1.signature,
        payload,
    })
}

fn alg_value(alg: &coset::Algorithm) -> Result<i64, Rejection> {
    match alg {
        Reg::Assigned(a) => Ok(*a as i64),
        Reg::PrivateUse(v) => Ok(*v),
        Reg::Text(_) => Err("text alg header".into()),
    }
}

fn typ_of(rest: &[(Label, ciborium::Value)]) -> Result<Option<String>, Rejection> {
    match rest.first() {
        None => Ok(None),
        Some((_, ciborium::Value::Text(t))) => Ok(Some(t.clone())),
        Some(_) => Err("typ header must be text".into()),
    }
}
