//! Issuing: the Notice QR and the card credential, and the holder's presentation.

use ring::rand::{SecureRandom, SystemRandom};

use crate::claims::{Body, Claims, PermitFacts, StatusRef};
use crate::codec::encode_qr;
use crate::cose;
use crate::keys::{KeyError, PublicKey, SigningKey};

/// A signed credential: the COSE_Sign1 bytes and the QR text that carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub cose: Vec<u8>,
    pub qr: String,
}

impl Issued {
    fn from_cose(cose: Vec<u8>) -> Self {
        let qr = encode_qr(&cose);
        Issued { cose, qr }
    }
}

/// When an issued credential is valid: issued at `iat`, usable until `exp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    pub iat: i64,
    pub exp: i64,
}

/// An issuing authority: one region's signing key.
#[derive(Debug)]
pub struct Issuer {
    key: SigningKey,
    region: String,
}

impl Issuer {
    /// An issuer signing with `key` for `region` (GB/T 2260 code, equal to the
    /// key's region in the trust list).
    pub fn new(key: SigningKey, region: impl Into<String>) -> Self {
        Issuer {
            key,
            region: region.into(),
        }
    }

    /// The signing key's public half, for the trust list.
    pub fn public_key(&self) -> &PublicKey {
        self.key.public_key()
    }

    /// Issues a Work Permit Notice QR.
    pub fn notice(
        &self,
        facts: PermitFacts,
        notice_id: String,
        validity: Validity,
        status: Option<StatusRef>,
    ) -> Issued {
        self.issue(Body::Notice { facts, notice_id }, validity, status)
    }

    /// Issues a card credential bound to the holder's device key (`cnf`).
    pub fn card(
        &self,
        facts: PermitFacts,
        device_key: PublicKey,
        validity: Validity,
        status: Option<StatusRef>,
    ) -> Issued {
        self.issue(Body::Card { facts, device_key }, validity, status)
    }

    fn issue(&self, body: Body, validity: Validity, status: Option<StatusRef>) -> Issued {
        let claims = Claims {
            iss: Some(self.region.clone()),
            iat: validity.iat,
            nbf: None,
            exp: Some(validity.exp),
            status,
            body,
        };
        Issued::from_cose(cose::sign(&self.key, true, None, claims.to_cbor()))
    }
}

/// Holder side: signs a presentation of `card` (the card credential's COSE bytes)
/// with the device key, at `now`, with a fresh random 16-byte nonce. The
/// presentation has no `kid`: the verifier takes the key from the card's `cnf`.
pub fn present(card: &[u8], device_key: &SigningKey, now: i64) -> Result<Issued, KeyError> {
    let mut nonce = [0u8; 16];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| KeyError::Random)?;
    Ok(present_with_nonce(card, device_key, now, nonce.to_vec()))
}

/// [`present`] with a caller-chosen nonce (8 to 32 bytes), for tests and vectors.
pub fn present_with_nonce(
    card: &[u8],
    device_key: &SigningKey,
    now: i64,
    nonce: Vec<u8>,
) -> Issued {
    let claims = Claims {
        iss: None,
        iat: now,
        nbf: None,
        exp: None,
        status: None,
        body: Body::Presentation {
            card: card.to_vec(),
            nonce,
        },
    };
    Issued::from_cose(cose::sign(device_key, false, None, claims.to_cbor()))
}
