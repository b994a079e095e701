//! COSE_Sign1 (RFC 9052) as this format uses it: tag 18, a protected header with
//! `alg`, `kid` and optionally `typ`, an empty unprotected header, an attached
//! payload, empty external AAD.

use coset::{
    CoseSign1Builder, HeaderBuilder, RegisteredLabelWithPrivate as Reg, TaggedCborSerializable,
    iana,
};

use crate::alg::Algorithm;
use crate::codec::cbor::{MapView, Raw, Reader, push_bstr_head};
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

    /// The bytes the signature covers (the COSE `Sig_structure`).
    pub fn tbs(&self) -> &[u8] {
        &self.tbs
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
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

/// Header labels (RFC 9052 section 3.1) refused in the protected header.
const HEADER_CRIT: i64 = 2;
const HEADER_ALG: i64 = 1;
const HEADER_KID: i64 = 4;

/// Parses COSE_Sign1 bytes (tagged 18 or untagged) under the strict rules: the
/// CBOR guard on the whole item, the protected header and the payload; only `alg`,
/// `kid` and `typ` in the protected header; an empty unprotected header; an
/// attached payload. Reads the bytes once, without building a CBOR value tree.
pub fn parse(bytes: &[u8]) -> Result<Parsed, Rejection> {
    cbor_guard::check(bytes)?;
    let not_sign1 = "not a COSE_Sign1";
    let mut r = Reader::new(bytes);
    // Tag 18 only in its one-byte form, as before: `0xd8 0x12` is refused.
    if r.peek() == Some(0xd2) {
        r.head()?;
    }
    if r.head()? != (4, 4) {
        return Err(not_sign1.into());
    }
    let protected = r.bytes().map_err(|_| not_sign1)?;
    match r.head().map_err(|_| not_sign1)? {
        (5, 0) => {}
        (5, _) => return Err("unprotected header must be empty".into()),
        _ => return Err(not_sign1.into()),
    }
    if r.peek() == Some(0xf6) {
        return Err("detached payload".into());
    }
    let payload = r.bytes().map_err(|_| not_sign1)?;
    let signature = r.bytes().map_err(|_| not_sign1)?;
    if !r.at_end() {
        return Err(not_sign1.into());
    }
    let header = ProtectedHeader::parse(protected)?;
    cbor_guard::check(payload)?;
    Ok(Parsed {
        alg: header.alg.ok_or("missing alg header")?,
        kid: header.kid.to_vec(),
        typ: header.typ.map(str::to_owned),
        tbs: tbs_data(protected, payload),
        signature: signature.to_vec(),
        payload: payload.to_vec(),
    })
}

/// The protected header's parameters this format knows.
struct ProtectedHeader<'a> {
    alg: Option<i64>,
    kid: &'a [u8],
    typ: Option<&'a str>,
}

impl<'a> ProtectedHeader<'a> {
    /// Reads the protected header (the content of the bstr; empty means no
    /// parameters), refusing `crit` and every label but `alg`, `kid` and `typ`.
    fn parse(bytes: &'a [u8]) -> Result<Self, Rejection> {
        let mut header = ProtectedHeader {
            alg: None,
            kid: &[],
            typ: None,
        };
        if bytes.is_empty() {
            return Ok(header);
        }
        cbor_guard::check(bytes)?;
        let map = MapView::of(Raw::whole(bytes)?).map_err(|_| "not a COSE_Sign1")?;
        if map.get(HEADER_CRIT).is_some() {
            return Err("unknown critical header".into());
        }
        map.only_int_keys(&[HEADER_ALG, HEADER_KID, HEADER_TYP])
            .map_err(|_| "unexpected protected header parameter")?;
        if let Some(alg) = map.get(HEADER_ALG) {
            if alg.as_str().is_some() {
                return Err("text alg header".into());
            }
            header.alg = Some(alg.as_i64().ok_or("alg header must be an integer")?);
        }
        if let Some(kid) = map.get(HEADER_KID) {
            header.kid = kid
                .as_bytes()
                .filter(|k| !k.is_empty())
                .ok_or("kid header must be a non-empty byte string")?;
        }
        if let Some(typ) = map.get(HEADER_TYP) {
            header.typ = Some(typ.as_str().ok_or("typ header must be text")?);
        }
        Ok(header)
    }
}

/// `Sig_structure = ["Signature1", protected, h'', payload]` (RFC 9052 section
/// 4.4), with the protected header as received.
fn tbs_data(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    const CONTEXT: &[u8] = b"\x84\x6aSignature1";
    let mut tbs = Vec::with_capacity(CONTEXT.len() + protected.len() + payload.len() + 12);
    tbs.extend_from_slice(CONTEXT);
    push_bstr_head(&mut tbs, protected.len());
    tbs.extend_from_slice(protected);
    tbs.push(0x40);
    push_bstr_head(&mut tbs, payload.len());
    tbs.extend_from_slice(payload);
    tbs
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable, CoseSign1, TaggedCborSerializable};

    #[test]
    fn tbs_matches_coset() {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let bstr = [&[0x58, 30][..], &[0u8; 30]].concat();
        let text = [&[0x79, 0x01, 0x2c][..], &[b'a'; 300]].concat();
        for payload in [vec![0xa0], bstr, text] {
            for typ in [None, Some("application/statuslist+cwt")] {
                let signed = sign(&key, true, typ, payload.clone());
                let parsed = parse(&signed).unwrap();
                let reference = CoseSign1::from_tagged_slice(&signed).unwrap();
                assert_eq!(parsed.tbs, reference.tbs_data(&[]));
                assert_eq!(parsed.payload, payload);
                assert_eq!(parsed.typ.as_deref(), typ);
                assert_eq!(parsed.kid, key.public_key().kid().0);
                assert!(parsed.verify(key.public_key()).is_ok());
                let untagged = reference.to_vec().unwrap();
                assert_eq!(parse(&untagged).unwrap().tbs, parsed.tbs);
            }
        }
    }

    #[test]
    fn refuses_odd_structures() {
        let refused = |bytes: &[u8]| parse(bytes).is_err();
        // Not an array of 4; wrong types; nil payload; non-empty unprotected.
        assert!(refused(&[0x83, 0x40, 0xa0, 0x40]));
        assert!(refused(&[0x84, 0x40, 0xa0, 0x40, 0x40, 0x00]));
        assert!(refused(&[0x84, 0x60, 0xa0, 0x40, 0x40]));
        assert!(refused(&[0x84, 0x40, 0x80, 0x40, 0x40]));
        assert_eq!(
            parse(&[0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0xf6, 0x40]).unwrap_err(),
            Rejection::Malformed("detached payload")
        );
        assert_eq!(
            parse(&[
                0x84, 0x43, 0xa1, 0x01, 0x26, 0xa1, 0x04, 0x40, 0x41, 0xa0, 0x40
            ])
            .unwrap_err(),
            Rejection::Malformed("unprotected header must be empty")
        );
        // Protected header: no alg; text alg; crit; content type; text label.
        assert!(refused(&[0x84, 0x40, 0xa0, 0x41, 0xa0, 0x40]));
        assert!(refused(&[0x84, 0x41, 0xa0, 0xa0, 0x41, 0xa0, 0x40]));
        assert!(refused(&[
            0x84, 0x44, 0xa1, 0x01, 0x61, 0x41, 0xa0, 0x41, 0xa0, 0x40
        ]));
        assert_eq!(
            parse(&[
                0x84, 0x46, 0xa2, 0x01, 0x26, 0x02, 0x81, 0x01, 0xa0, 0x41, 0xa0, 0x40
            ])
            .unwrap_err(),
            Rejection::Malformed("unknown critical header")
        );
        assert!(refused(&[
            0x84, 0x45, 0xa2, 0x01, 0x26, 0x03, 0x00, 0xa0, 0x41, 0xa0, 0x40
        ]));
        assert!(refused(&[
            0x84, 0x46, 0xa2, 0x01, 0x26, 0x61, 0x78, 0x00, 0xa0, 0x41, 0xa0, 0x40
        ]));
        // kid not a bstr; typ not text; protected not a map.
        assert!(refused(&[
            0x84, 0x45, 0xa2, 0x01, 0x26, 0x04, 0x00, 0xa0, 0x41, 0xa0, 0x40
        ]));
        assert!(refused(&[
            0x84, 0x45, 0xa2, 0x01, 0x26, 0x10, 0x00, 0xa0, 0x41, 0xa0, 0x40
        ]));
        assert!(refused(&[0x84, 0x41, 0x80, 0xa0, 0x41, 0xa0, 0x40]));
        // The minimal accepted shape.
        let ok = parse(&[0x84, 0x43, 0xa1, 0x01, 0x26, 0xa0, 0x41, 0xa0, 0x40]).unwrap();
        assert_eq!(
            (ok.alg, ok.kid.len(), ok.payload.as_slice()),
            (-7, 0, &[0xa0][..])
        );
    }
}
