//! The trust list: a COSE_Sign1 (typ `application/zhengka-trust-list+cbor`) over a
//! CBOR map of issuer keys, signed by the deployment's trust anchor key.

use ciborium::Value;

use crate::alg::Algorithm;
use crate::claims::map::{self, int, text};
use crate::codec::cbor::{MapView, Raw, as_bytes, as_i64, as_text};
use crate::cose;
use crate::error::Rejection;
use crate::keys::{Kid, PublicKey, SigningKey};

/// `typ` header of a trust list.
pub const TRUST_LIST_TYP: &str = "application/zhengka-trust-list+cbor";
/// Largest signed trust list accepted.
pub const MAX_TRUST_LIST_BYTES: usize = 256 * 1024;

/// What an issuer key may sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Work Permit Notices (`"notice"`).
    Notice,
    /// Card credentials (`"card"`).
    Card,
    /// Status list tokens (`"status_list"`).
    StatusList,
}

impl KeyPurpose {
    const ALL: [KeyPurpose; 3] = [KeyPurpose::Notice, KeyPurpose::Card, KeyPurpose::StatusList];

    /// The name used in the trust list.
    pub fn name(self) -> &'static str {
        match self {
            KeyPurpose::Notice => "notice",
            KeyPurpose::Card => "card",
            KeyPurpose::StatusList => "status_list",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// One issuer key in the trust list. `valid_from..=valid_to` bounds when it may
/// sign (a credential's `iat`); what it signed stays valid until its own `exp`.
#[derive(Debug, Clone, PartialEq)]
pub struct IssuerKey {
    pub public_key: PublicKey,
    /// GB/T 2260 code of the issuing region; credentials carry it as `iss`.
    pub region: String,
    pub purposes: Vec<KeyPurpose>,
    pub valid_from: i64,
    pub valid_to: i64,
}

impl IssuerKey {
    /// The key identifier.
    pub fn kid(&self) -> Kid {
        self.public_key.kid()
    }

    /// Whether the key may sign `purpose`.
    pub fn allows(&self, purpose: KeyPurpose) -> bool {
        self.purposes.contains(&purpose)
    }

    /// Whether the key was in its signing window at `iat`.
    pub fn valid_at(&self, iat: i64) -> bool {
        (self.valid_from..=self.valid_to).contains(&iat)
    }

    fn to_value(&self) -> Value {
        let purposes = self.purposes.iter().map(|p| text(p.name())).collect();
        Value::Map(vec![
            (text("kid"), Value::Bytes(self.kid().0.to_vec())),
            (text("alg"), int(self.public_key.alg().cose_value())),
            (
                text("pub"),
                Value::Bytes(self.public_key.as_bytes().to_vec()),
            ),
            (text("region"), text(&self.region)),
            (text("purposes"), Value::Array(purposes)),
            (text("valid_from"), int(self.valid_from)),
            (text("valid_to"), int(self.valid_to)),
        ])
    }

    fn from_value(value: Raw<'_>) -> Result<Self, Rejection> {
        let m = MapView::of(value)?;
        m.only_text_keys(&[
            "kid",
            "alg",
            "pub",
            "region",
            "purposes",
            "valid_from",
            "valid_to",
        ])?;
        let alg = Algorithm::from_cose_value(as_i64(m.get_text("alg"), "trust list alg")?)
            .ok_or("trust list alg not supported")?;
        let public_key =
            PublicKey::from_bytes(alg, &as_bytes(m.get_text("pub"), "trust list pub")?)
                .map_err(|_| "trust list public key invalid")?;
        if as_bytes(m.get_text("kid"), "trust list kid")? != public_key.kid().0 {
            return Err("trust list kid does not match its key".into());
        }
        let purposes = m
            .get_text("purposes")
            .and_then(Raw::as_array)
            .ok_or("purposes")?;
        let purposes = purposes
            .iter()
            .map(|p| {
                p.as_str()
                    .and_then(KeyPurpose::parse)
                    .ok_or("unknown key purpose")
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(IssuerKey {
            public_key,
            region: as_text(m.get_text("region"), "trust list region")?,
            purposes,
            valid_from: as_i64(m.get_text("valid_from"), "trust list valid_from")?,
            valid_to: as_i64(m.get_text("valid_to"), "trust list valid_to")?,
        })
    }
}

/// A verified (or freshly built) trust list.
#[derive(Debug, Clone, PartialEq)]
pub struct TrustList {
    /// Who publishes the list (e.g. the deployment's name).
    pub iss: String,
    /// Sequence number, increasing with each publication.
    pub seq: u64,
    pub iat: i64,
    pub exp: i64,
    pub keys: Vec<IssuerKey>,
}

impl TrustList {
    /// The key named by `kid`.
    pub fn key(&self, kid: &Kid) -> Option<&IssuerKey> {
        self.keys.iter().find(|k| k.kid() == *kid)
    }

    /// Signs the list with the trust anchor key; returns COSE_Sign1 bytes.
    pub fn sign(&self, anchor: &SigningKey) -> Vec<u8> {
        let payload = Value::Map(vec![
            (text("iss"), text(&self.iss)),
            (text("seq"), int(self.seq as i64)),
            (text("iat"), int(self.iat)),
            (text("exp"), int(self.exp)),
            (
                text("keys"),
                Value::Array(self.keys.iter().map(IssuerKey::to_value).collect()),
            ),
        ]);
        cose::sign(anchor, true, Some(TRUST_LIST_TYP), map::to_bytes(&payload))
    }

    /// Verifies a signed trust list against the anchor key and refuses one past its `exp`.
    pub fn from_signed(bytes: &[u8], anchor: &PublicKey, now: i64) -> Result<Self, Rejection> {
        if bytes.len() > MAX_TRUST_LIST_BYTES {
            return Err("trust list too large".into());
        }
        let parsed = cose::parse(bytes)?;
        if parsed.typ.as_deref() != Some(TRUST_LIST_TYP) {
            return Err("not a trust list".into());
        }
        if parsed.kid() != Some(anchor.kid()) {
            return Err(Rejection::UnknownKey);
        }
        parsed.verify(anchor)?;
        let list = Self::from_payload(&parsed.payload)?;
        if now >= list.exp {
            return Err(Rejection::Expired);
        }
        Ok(list)
    }

    fn from_payload(bytes: &[u8]) -> Result<Self, Rejection> {
        let m = MapView::of(Raw::whole(bytes)?)?;
        m.only_text_keys(&["iss", "seq", "iat", "exp", "keys"])?;
        let keys = m
            .get_text("keys")
            .and_then(Raw::as_array)
            .ok_or("trust list keys")?;
        Ok(TrustList {
            iss: as_text(m.get_text("iss"), "trust list iss")?,
            seq: u64::try_from(as_i64(m.get_text("seq"), "trust list seq")?).map_err(|_| "seq")?,
            iat: as_i64(m.get_text("iat"), "trust list iat")?,
            exp: as_i64(m.get_text("exp"), "trust list exp")?,
            keys: keys
                .into_iter()
                .map(IssuerKey::from_value)
                .collect::<Result<_, _>>()?,
        })
    }
}
