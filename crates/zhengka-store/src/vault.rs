//! Encryption at rest for personal data (AES-256-GCM) and keyed hashes
//! (HMAC-SHA-256) so that equality search works without the plaintext.

use std::fmt;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

use crate::StoreError;

/// Length of the key material: 32 bytes data key, 32 bytes index key.
pub const KEY_LEN: usize = 64;

pub struct Vault {
    data: LessSafeKey,
    index: hmac::Key,
    rng: SystemRandom,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault(***)")
    }
}

impl Vault {
    /// Fresh random key material, to be stored by the caller (first start).
    pub fn generate_key_material() -> [u8; KEY_LEN] {
        let mut bytes = [0u8; KEY_LEN];
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the system random source works");
        bytes
    }

    pub fn from_key_material(bytes: &[u8]) -> Result<Self, StoreError> {
        if bytes.len() != KEY_LEN {
            return Err(StoreError::other(format!(
                "store key material must be {KEY_LEN} bytes, found {}",
                bytes.len()
            )));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, &bytes[..32])
            .map_err(|_| StoreError::other("bad data key"))?;
        Ok(Self {
            data: LessSafeKey::new(unbound),
            index: hmac::Key::new(hmac::HMAC_SHA256, &bytes[32..]),
            rng: SystemRandom::new(),
        })
    }

    /// Nonce-prefixed ciphertext. `context` is bound as associated data so a
    /// ciphertext cannot be moved to another row or column unnoticed.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.rng
            .fill(&mut nonce)
            .map_err(|_| StoreError::other("random source failed"))?;
        let mut out = plaintext.to_vec();
        self.data
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut out,
            )
            .map_err(|_| StoreError::other("encryption failed"))?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&out);
        Ok(sealed)
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < NONCE_LEN {
            return Err(StoreError::other("ciphertext too short"));
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::other("bad nonce"))?;
        let mut buf = body.to_vec();
        let plain = self
            .data
            .open_in_place(nonce, Aad::from(context.as_bytes()), &mut buf)
            .map_err(|_| StoreError::other("decryption failed: wrong key or tampered row"))?;
        Ok(plain.to_vec())
    }

    /// Keyed hash for lookups: the same input gives the same hex string.
    pub fn index(&self, kind: &str, value: &str) -> String {
        let tag = hmac::sign(&self.index, format!("{kind}\u{0}{value}").as_bytes());
        hex(tag.as_ref())
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_context_binding() {
        let v = Vault::from_key_material(&Vault::generate_key_material()).unwrap();
        let sealed = v.seal("permits:1", b"E1234567").unwrap();
        assert_eq!(v.open("permits:1", &sealed).unwrap(), b"E1234567");
        assert!(v.open("permits:2", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[15] ^= 1;
        assert!(v.open("permits:1", &tampered).is_err());
    }

    #[test]
    fn index_is_deterministic_and_keyed() {
        let v1 = Vault::from_key_material(&Vault::generate_key_material()).unwrap();
        let v2 = Vault::from_key_material(&Vault::generate_key_material()).unwrap();
        assert_eq!(v1.index("passport", "E1"), v1.index("passport", "E1"));
        assert_ne!(v1.index("passport", "E1"), v2.index("passport", "E1"));
        assert_ne!(v1.index("passport", "E1"), v1.index("ssn", "E1"));
    }
}
