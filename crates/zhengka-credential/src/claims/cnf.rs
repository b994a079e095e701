//! The `cnf` claim (RFC 8747): the holder's device public key as a COSE_Key.

use ciborium::Value;

use super::map::{self, int};
use crate::alg::Algorithm;
use crate::codec::cbor::{MapView, Raw, as_bytes, as_i64};
use crate::error::Rejection;
use crate::keys::PublicKey;

const KTY: i64 = 1;
const ALG: i64 = 3;
const CRV: i64 = -1;
const X: i64 = -2;
const Y: i64 = -3;
const COSE_KEY: i64 = 1;
const KTY_OKP: i64 = 1;
const KTY_EC2: i64 = 2;
const CRV_P256: i64 = 1;
const CRV_ED25519: i64 = 6;
/// COSE elliptic curve value assigned to the SM2 curve here (private use).
pub const CRV_SM2: i64 = -65537;

/// Encodes `{1: COSE_Key}` for the `cnf` claim.
pub fn encode(key: &PublicKey) -> Value {
    Value::Map(vec![(int(COSE_KEY), cose_key(key))])
}

/// The bare COSE_Key (section 5.1 of the format) of `key`, as CBOR bytes: what
/// a holder's device sends when it registers, in the one encoding the `cnf`
/// claim carries.
pub fn encode_key(key: &PublicKey) -> Vec<u8> {
    map::to_bytes(&cose_key(key))
}

/// Reads a bare COSE_Key from any bytes under the strict CBOR rules: one map,
/// `kty`, `alg` and `crv` agreeing, no other labels, the point on its curve.
pub fn decode_key(bytes: &[u8]) -> Result<PublicKey, Rejection> {
    crate::codec::cbor_guard::check(bytes)?;
    decode_cose_key(Raw::whole(bytes)?)
}

fn cose_key(key: &PublicKey) -> Value {
    let b = key.as_bytes();
    let mut cose_key = vec![
        (
            int(KTY),
            int(if key.alg() == Algorithm::EdDsa {
                KTY_OKP
            } else {
                KTY_EC2
            }),
        ),
        (int(ALG), int(key.alg().cose_value())),
        (int(CRV), int(curve(key.alg()))),
    ];
    match key.alg() {
        Algorithm::EdDsa => cose_key.push((int(X), Value::Bytes(b.to_vec()))),
        _ => {
            cose_key.push((int(X), Value::Bytes(b[1..33].to_vec())));
            cose_key.push((int(Y), Value::Bytes(b[33..65].to_vec())));
        }
    }
    Value::Map(cose_key)
}

fn curve(alg: Algorithm) -> i64 {
    match alg {
        Algorithm::Es256 => CRV_P256,
        Algorithm::Sm2Sm3 => CRV_SM2,
        Algorithm::EdDsa => CRV_ED25519,
    }
}

/// Decodes the `cnf` claim to the device public key; `kty`, `alg` and `crv` must agree.
pub fn decode(value: &Value) -> Result<PublicKey, Rejection> {
    let bytes = map::to_bytes(value);
    decode_raw(Raw::whole(&bytes)?)
}

/// [`decode`] straight from the claim's CBOR bytes.
pub(crate) fn decode_raw(value: Raw<'_>) -> Result<PublicKey, Rejection> {
    let cnf = MapView::of(value)?;
    cnf.only_int_keys(&[COSE_KEY])?;
    decode_cose_key(cnf.get(COSE_KEY).ok_or("cnf without COSE_Key")?)
}

fn decode_cose_key(value: Raw<'_>) -> Result<PublicKey, Rejection> {
    let key = MapView::of(value)?;
    let alg = Algorithm::from_cose_value(as_i64(key.get(ALG), "cnf key alg")?)
        .ok_or("cnf key alg not supported")?;
    let kty = as_i64(key.get(KTY), "cnf key kty")?;
    let crv = as_i64(key.get(CRV), "cnf key crv")?;
    let x = as_bytes(key.get(X), "cnf key x")?;
    let bytes = if alg == Algorithm::EdDsa {
        key.only_int_keys(&[KTY, ALG, CRV, X])?;
        (kty == KTY_OKP).then_some(()).ok_or("cnf key kty")?;
        x
    } else {
        key.only_int_keys(&[KTY, ALG, CRV, X, Y])?;
        (kty == KTY_EC2).then_some(()).ok_or("cnf key kty")?;
        let y = as_bytes(key.get(Y), "cnf key y")?;
        [&[4u8][..], &x, &y].concat()
    };
    if crv != curve(alg) {
        return Err("cnf key crv does not match alg".into());
    }
    PublicKey::from_bytes(alg, &bytes).map_err(|_| "cnf key is not a valid public key".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SigningKey;

    #[test]
    fn a_bare_cose_key_round_trips_and_matches_the_cnf_claim() {
        for alg in [Algorithm::Es256, Algorithm::EdDsa, Algorithm::Sm2Sm3] {
            let key = SigningKey::generate(alg).unwrap().public_key().clone();
            let bytes = encode_key(&key);
            assert_eq!(decode_key(&bytes).unwrap(), key);
            let cnf = map::to_bytes(&encode(&key));
            assert_eq!(&cnf[..2], &[0xa1, 0x01], "{{1: COSE_Key}}");
            assert_eq!(&cnf[2..], &bytes[..]);
        }
    }

    #[test]
    fn a_bare_cose_key_is_read_strictly() {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let good = encode_key(key.public_key());
        // ES256 with P-256: {1: 2, 3: -7, -1: 1, -2: x, -3: y}.
        assert_eq!(
            &good[..8],
            &[0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]
        );
        let mut off_curve = good.clone();
        let last = off_curve.len() - 1;
        off_curve[last] ^= 1;
        let mut extra = good.clone();
        extra[0] = 0xa6;
        extra.extend_from_slice(&[0x02, 0x41, 0x00]);
        let mut wrong_crv = good.clone();
        wrong_crv[6] = 0x02;
        let cases: [&[u8]; 6] = [
            &off_curve,
            &extra,
            &wrong_crv,
            &good[..good.len() - 1],
            &[0xa0],
            &[0x40],
        ];
        for bad in cases {
            assert!(decode_key(bad).is_err(), "{bad:02x?}");
        }
    }
}
