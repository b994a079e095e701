//! Signing keys (PKCS#8) and public keys for the three algorithms.

use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self as rs, KeyPair};
use sm2::dsa::signature::{Signer, Verifier as _};
use sm2::pkcs8::{DecodePrivateKey, EncodePrivateKey};

use crate::alg::{Algorithm, SM2_DEFAULT_ID};

/// Why key material was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("public key is not a valid point or length for its algorithm")]
    BadPublicKey,
    #[error("private key is not valid PKCS#8 for its algorithm")]
    BadPrivateKey,
    #[error("the system random generator failed")]
    Random,
}

/// A key identifier: the first 8 bytes of SHA-256 over the public key bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(pub [u8; 8]);

impl Kid {
    /// Derives the kid of public key bytes.
    pub fn of(public_key: &[u8]) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, public_key);
        let mut kid = [0u8; 8];
        kid.copy_from_slice(&digest.as_ref()[..8]);
        Kid(kid)
    }
}

/// A public key: P-256 or SM2 as an uncompressed SEC1 point (65 bytes), Ed25519
/// as its 32 raw bytes (a point on the curve: checked when read).
#[derive(Clone)]
pub struct PublicKey {
    alg: Algorithm,
    bytes: Vec<u8>,
    /// Derived once: the trust list looks keys up by it on every verify.
    kid: Kid,
    verifier: Verifier,
}

/// The parsed form a key verifies with, made once when the key is read.
#[derive(Clone)]
enum Verifier {
    /// ring parses the P-256 point on each verify (cheaply; it is checked up front).
    Es256,
    Sm2(Box<sm2::dsa::VerifyingKey>),
    /// ed25519-dalek: `verify_strict` is faster here than ring's Ed25519 and
    /// refuses small-order keys and `R` points and non-canonical `R` and `s`.
    EdDsa(Box<ed25519_dalek::VerifyingKey>),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({}, kid {:02x?})", self.alg, self.kid().0)
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.alg == other.alg && self.bytes == other.bytes
    }
}

impl PublicKey {
    /// Parses public key bytes for `alg`, checking the point is on the curve.
    pub fn from_bytes(alg: Algorithm, bytes: &[u8]) -> Result<Self, KeyError> {
        fn bad<E>(_: E) -> KeyError {
            KeyError::BadPublicKey
        }
        let verifier = match alg {
            Algorithm::Es256 if bytes.len() == 65 && bytes[0] == 4 => Verifier::Es256,
            Algorithm::EdDsa => {
                let bytes = <&[u8; 32]>::try_from(bytes).map_err(bad)?;
                Verifier::EdDsa(Box::new(
                    ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(bad)?,
                ))
            }
            Algorithm::Sm2Sm3 if bytes.len() == 65 && bytes[0] == 4 => Verifier::Sm2(Box::new(
                sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DEFAULT_ID, bytes).map_err(bad)?,
            )),
            _ => return Err(KeyError::BadPublicKey),
        };
        let key = PublicKey {
            alg,
            bytes: bytes.to_vec(),
            kid: Kid::of(bytes),
            verifier,
        };
        if alg == Algorithm::Es256 && !key.is_valid_p256_point() {
            return Err(KeyError::BadPublicKey);
        }
        Ok(key)
    }

    /// ring checks the point only when verifying and reports it like a bad
    /// signature, so the trust list is checked up front with RustCrypto `p256`.
    fn is_valid_p256_point(&self) -> bool {
        p256::PublicKey::from_sec1_bytes(&self.bytes).is_ok()
    }

    /// The algorithm this key verifies.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The raw public key bytes as carried in the trust list.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The key identifier derived from the bytes.
    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// Verifies `signature` (64 bytes for every algorithm here) over `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.verifier {
            Verifier::Es256 => {
                rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, &self.bytes)
                    .verify(message, signature)
                    .is_ok()
            }
            Verifier::EdDsa(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify_strict(message, &sig).is_ok()),
            Verifier::Sm2(key) => sm2::dsa::Signature::from_slice(signature)
                .is_ok_and(|sig| key.verify(message, &sig).is_ok()),
        }
    }

    /// The Ed25519 key, for batch verification.
    pub(crate) fn ed25519(&self) -> Option<&ed25519_dalek::VerifyingKey> {
        match &self.verifier {
            Verifier::EdDsa(key) => Some(key),
            _ => None,
        }
    }
}

/// PKCS#8 DER of a private key. Never printed.
#[derive(Clone)]
pub struct Pkcs8(Vec<u8>);

impl Pkcs8 {
    /// Wraps DER bytes read from storage.
    pub fn from_der(der: Vec<u8>) -> Self {
        Pkcs8(der)
    }
    /// The DER bytes, for writing to a file with restrictive permissions.
    pub fn as_der(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Pkcs8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pkcs8(redacted)")
    }
}

enum Inner {
    Es256(rs::EcdsaKeyPair),
    EdDsa(rs::Ed25519KeyPair),
    Sm2(Box<sm2::dsa::SigningKey>),
}

/// A private signing key with its public half.
pub struct SigningKey {
    inner: Inner,
    public: PublicKey,
    pkcs8: Pkcs8,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({:?})", self.public)
    }
}

impl SigningKey {
    /// Generates a fresh key from the system random generator.
    pub fn generate(alg: Algorithm) -> Result<Self, KeyError> {
        let rng = SystemRandom::new();
        let der = match alg {
            Algorithm::Es256 => {
                rs::EcdsaKeyPair::generate_pkcs8(&rs::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .map_err(|_| KeyError::Random)?
                    .as_ref()
                    .to_vec()
            }
            Algorithm::EdDsa => rs::Ed25519KeyPair::generate_pkcs8(&rng)
                .map_err(|_| KeyError::Random)?
                .as_ref()
                .to_vec(),
            Algorithm::Sm2Sm3 => sm2_generate_pkcs8(&rng)?,
        };
        Self::from_pkcs8(alg, &Pkcs8(der))
    }

    /// Loads a PKCS#8 private key for `alg`.
    pub fn from_pkcs8(alg: Algorithm, der: &Pkcs8) -> Result<Self, KeyError> {
        let bad = |_| KeyError::BadPrivateKey;
        let rng = SystemRandom::new();
        let (inner, public) = match alg {
            Algorithm::Es256 => {
                let kp = rs::EcdsaKeyPair::from_pkcs8(
                    &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
                    der.as_der(),
                    &rng,
                )
                .map_err(|_| KeyError::BadPrivateKey)?;
                let public = kp.public_key().as_ref().to_vec();
                (Inner::Es256(kp), public)
            }
            Algorithm::EdDsa => {
                let kp = rs::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der.as_der())
                    .map_err(|_| KeyError::BadPrivateKey)?;
                let public = kp.public_key().as_ref().to_vec();
                (Inner::EdDsa(kp), public)
            }
            Algorithm::Sm2Sm3 => {
                let secret = sm2::SecretKey::from_pkcs8_der(der.as_der()).map_err(bad)?;
                let key = sm2::dsa::SigningKey::new(SM2_DEFAULT_ID, &secret)
                    .map_err(|_| KeyError::BadPrivateKey)?;
                let public = key.verifying_key().to_sec1_bytes().to_vec();
                (Inner::Sm2(Box::new(key)), public)
            }
        };
        let public = PublicKey::from_bytes(alg, &public)?;
        Ok(SigningKey {
            inner,
            public,
            pkcs8: der.clone(),
        })
    }

    /// The PKCS#8 DER to store.
    pub fn to_pkcs8(&self) -> &Pkcs8 {
        &self.pkcs8
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The algorithm of this key.
    pub fn alg(&self) -> Algorithm {
        self.public.alg
    }

    /// Signs `message`, returning the 64-byte signature.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.inner {
            Inner::Es256(kp) => kp
                .sign(&SystemRandom::new(), message)
                .expect("ECDSA signing fails only if the system RNG fails")
                .as_ref()
                .to_vec(),
            Inner::EdDsa(kp) => kp.sign(message).as_ref().to_vec(),
            Inner::Sm2(key) => {
                let sig: sm2::dsa::Signature = key.sign(message);
                sig.to_bytes().to_vec()
            }
        }
    }
}

fn sm2_generate_pkcs8(rng: &SystemRandom) -> Result<Vec<u8>, KeyError> {
    loop {
        let mut seed = [0u8; 32];
        rng.fill(&mut seed).map_err(|_| KeyError::Random)?;
        if let Ok(secret) = sm2::SecretKey::from_slice(&seed) {
            let der = secret.to_pkcs8_der().map_err(|_| KeyError::BadPrivateKey)?;
            return Ok(der.as_bytes().to_vec());
        }
    }
}
