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
    Value::Map(vec![(int(COSE_KEY), Value::Map(cose_key))])
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
    let key = MapView::of(cnf.get(COSE_KEY).ok_or("cnf without COSE_Key")?)?;
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
