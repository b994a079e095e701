//! The claims of the three credential kinds, as a CWT (RFC 8392).

pub mod cnf;
pub mod keys;
pub mod map;
mod permit;

use ciborium::Value;

pub use permit::PermitFacts;

use crate::codec::cbor::{MapView, Raw, as_bytes, as_i64, as_text};
use crate::codec::cbor_guard;
use crate::error::Rejection;
use crate::keys::PublicKey;
use keys::zk;
use map::{int, text};

/// The kind of a credential, carried as `zk` key 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The printed Work Permit Notice (1).
    Notice = 1,
    /// The card credential held by the e-card (2).
    Card = 2,
    /// The short-lived presentation shown by the e-card (3).
    Presentation = 3,
}

/// Where the credential's status lives: `{"status_list": {"idx": i, "uri": u}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    pub uri: String,
    pub idx: u32,
}

/// What a credential asserts, by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Notice {
        facts: PermitFacts,
        notice_id: String,
    },
    Card {
        facts: PermitFacts,
        device_key: PublicKey,
    },
    /// `card` is the embedded card credential (tagged COSE_Sign1 bytes).
    Presentation { card: Vec<u8>, nonce: Vec<u8> },
}

impl Body {
    /// The kind of this body.
    pub fn kind(&self) -> Kind {
        match self {
            Body::Notice { .. } => Kind::Notice,
            Body::Card { .. } => Kind::Card,
            Body::Presentation { .. } => Kind::Presentation,
        }
    }
}

/// The claims of one credential.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// Issuing region; `None` only for presentations.
    pub iss: Option<String>,
    pub iat: i64,
    pub nbf: Option<i64>,
    /// Required for Notice and card; absent from presentations.
    pub exp: Option<i64>,
    pub status: Option<StatusRef>,
    pub body: Body,
}

impl Claims {
    /// Encodes the claims as a CBOR map.
    pub fn to_cbor(&self) -> Vec<u8> {
        let mut m = Vec::new();
        if let Some(iss) = &self.iss {
            m.push((int(keys::ISS), text(iss)));
        }
        if let Some(exp) = self.exp {
            m.push((int(keys::EXP), int(exp)));
        }
        if let Some(nbf) = self.nbf {
            m.push((int(keys::NBF), int(nbf)));
        }
        m.push((int(keys::IAT), int(self.iat)));
        self.encode_body(&mut m);
        if let Some(s) = &self.status {
            let r = vec![
                (text("idx"), int(i64::from(s.idx))),
                (text("uri"), text(&s.uri)),
            ];
            m.push((
                int(keys::STATUS),
                Value::Map(vec![(text("status_list"), Value::Map(r))]),
            ));
        }
        map::to_bytes(&Value::Map(m))
    }

    fn encode_body(&self, m: &mut Vec<(Value, Value)>) {
        let mut z = vec![(int(zk::KIND), int(self.body.kind() as i64))];
        match &self.body {
            Body::Notice { facts, notice_id } => {
                facts.encode_into(&mut z);
                z.push((int(zk::NOTICE_ID), text(notice_id)));
            }
            Body::Card { facts, device_key } => {
                facts.encode_into(&mut z);
                m.push((int(keys::CNF), cnf::encode(device_key)));
            }
            Body::Presentation { card, nonce } => {
                m.push((int(keys::CTI), Value::Bytes(nonce.clone())));
                z.push((int(zk::CARD), Value::Bytes(card.clone())));
            }
        }
        m.push((int(keys::ZK), Value::Map(z)));
    }

    /// Decodes a CWT claims map under the strict CBOR rules (the guard runs here
    /// too, so any bytes may be given).
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, Rejection> {
        cbor_guard::check(bytes)?;
        Self::from_checked_cbor(bytes)
    }

    /// Decodes a claims map that already passed `cbor_guard::check`, straight
    /// from the bytes (no CBOR value tree).
    pub(crate) fn from_checked_cbor(bytes: &[u8]) -> Result<Self, Rejection> {
        let m = MapView::of(Raw::whole(bytes)?)?;
        let known = [
            keys::ISS,
            keys::EXP,
            keys::NBF,
            keys::IAT,
            keys::CTI,
            keys::CNF,
            keys::STATUS,
            keys::ZK,
        ];
        m.only_int_keys(&known)?;
        let z = MapView::of(m.get(keys::ZK).ok_or("missing zk claim")?)?;
        let body = decode_body(&m, &z)?;
        let optional = |key, what| m.get(key).map(|v| as_i64(Some(v), what)).transpose();
        let claims = Claims {
            iss: m
                .get(keys::ISS)
                .map(|v| as_text(Some(v), "iss must be text"))
                .transpose()?,
            iat: as_i64(m.get(keys::IAT), "missing or non-integer iat")?,
            nbf: optional(keys::NBF, "nbf must be an integer")?,
            exp: optional(keys::EXP, "exp must be an integer")?,
            status: m.get(keys::STATUS).map(decode_status).transpose()?,
            body,
        };
        claims.check_shape()?;
        Ok(claims)
    }

    fn check_shape(&self) -> Result<(), Rejection> {
        let presentation = self.body.kind() == Kind::Presentation;
        let issued_shape = self.iss.is_some() && self.exp.is_some();
        let presentation_shape = self.iss.is_none() && self.exp.is_none() && self.status.is_none();
        match presentation {
            true if !presentation_shape => Err("presentation carries issuer claims".into()),
            false if !issued_shape => Err("credential lacks iss or exp".into()),
            _ => Ok(()),
        }
    }
}

/// The `zk` keys of each kind: the kind, the permit facts (1 to 10), then the
/// Notice id or the embedded card.
const NOTICE_ZK: [i64; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, zk::NOTICE_ID];
const CARD_ZK: [i64; 11] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const PRESENTATION_ZK: [i64; 2] = [zk::KIND, zk::CARD];

fn decode_body(m: &MapView<'_>, z: &MapView<'_>) -> Result<Body, Rejection> {
    let no_cnf = || match m.get(keys::CNF).or(m.get(keys::CTI)) {
        Some(_) => Err(Rejection::Malformed("cnf or cti on the wrong kind")),
        None => Ok(()),
    };
    match as_i64(z.get(zk::KIND), "missing kind")? {
        1 => {
            z.only_int_keys(&NOTICE_ZK)?;
            no_cnf()?;
            let facts = PermitFacts::decode_view(z)?;
            let notice_id = as_text(z.get(zk::NOTICE_ID), "missing notice id")?;
            Ok(Body::Notice { facts, notice_id })
        }
        2 => {
            z.only_int_keys(&CARD_ZK)?;
            if m.get(keys::CTI).is_some() {
                return Err("cti on a card credential".into());
            }
            let device_key = cnf::decode_raw(m.get(keys::CNF).ok_or("card without cnf")?)?;
            Ok(Body::Card {
                facts: PermitFacts::decode_view(z)?,
                device_key,
            })
        }
        3 => {
            z.only_int_keys(&PRESENTATION_ZK)?;
            if m.get(keys::CNF).is_some() {
                return Err("cnf on a presentation".into());
            }
            let nonce = as_bytes(m.get(keys::CTI), "missing presentation nonce")?;
            if nonce.len() < 8 || nonce.len() > 32 {
                return Err("presentation nonce must be 8 to 32 bytes".into());
            }
            let card = as_bytes(z.get(zk::CARD), "missing embedded card")?;
            Ok(Body::Presentation { card, nonce })
        }
        _ => Err("unknown credential kind".into()),
    }
}

fn decode_status(value: Raw<'_>) -> Result<StatusRef, Rejection> {
    let outer = MapView::of(value)?;
    outer.only_text_keys(&["status_list"])?;
    let inner = MapView::of(
        outer
            .get_text("status_list")
            .ok_or("status without status_list")?,
    )?;
    inner.only_text_keys(&["idx", "uri"])?;
    let idx = as_i64(inner.get_text("idx"), "status idx")?;
    Ok(StatusRef {
        idx: u32::try_from(idx).map_err(|_| "status idx out of range")?,
        uri: as_text(inner.get_text("uri"), "status uri")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zk_key_sets_match_the_fields() {
        assert_eq!(
            NOTICE_ZK,
            *[&[zk::KIND][..], PermitFacts::keys(), &[zk::NOTICE_ID]].concat()
        );
        assert_eq!(CARD_ZK, *[&[zk::KIND][..], PermitFacts::keys()].concat());
    }
}
