//! Token Status List (draft-ietf-oauth-status-list), CWT form: 2 bits per
//! credential, index 0 in the least significant bits of byte 0, zlib-compressed,
//! signed by a key with purpose `status_list`.

use ciborium::Value;
use ring::rand::{SecureRandom, SystemRandom};

use crate::claims::keys;
use crate::claims::map::{self, int, text};
use crate::codec::cbor::{MapView, Raw, as_bytes, as_i64, as_text};
use crate::codec::{deflate, inflate_capped};
use crate::cose;
use crate::error::Rejection;
use crate::keys::SigningKey;
use crate::trust::{KeyPurpose, TrustList};

/// `typ` header of a status list token.
pub const STATUS_LIST_TYP: &str = "application/statuslist+cwt";
/// Smallest list published, so that fetching it says nothing about who is checked.
pub const MIN_ENTRIES: usize = 131_072;
/// Largest list accepted (entries), bounding the inflated size to 1 MiB.
pub const MAX_ENTRIES: usize = 4 * 1024 * 1024;
/// Largest signed token accepted.
pub const MAX_TOKEN_BYTES: usize = 1024 * 1024 + 4096;

/// The status of one credential (2-bit value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 0: valid.
    Valid = 0,
    /// 1: revoked ("INVALID" in the draft); also used for the reserved value 3.
    Revoked = 1,
    /// 2: suspended.
    Suspended = 2,
}

/// The bit array: `len` entries of 2 bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusBits {
    bytes: Vec<u8>,
}

impl StatusBits {
    /// A list of `entries` valid entries (rounded up to a multiple of 4).
    pub fn new(entries: usize) -> Self {
        StatusBits {
            bytes: vec![0; entries.div_ceil(4)],
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.bytes.len() * 4
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status at `idx`, or `None` past the end.
    pub fn get(&self, idx: u32) -> Option<Status> {
        let byte = self.bytes.get(idx as usize / 4)?;
        Some(match (byte >> ((idx % 4) * 2)) & 0b11 {
            0 => Status::Valid,
            2 => Status::Suspended,
            _ => Status::Revoked,
        })
    }

    /// Sets the status at `idx`; panics past the end (a server bug, not input).
    pub fn set(&mut self, idx: u32, status: Status) {
        let shift = (idx % 4) * 2;
        let byte = &mut self.bytes[idx as usize / 4];
        *byte = (*byte & !(0b11 << shift)) | ((status as u8) << shift);
    }
}

/// Picks a random index below `entries` that `taken` does not already hold:
/// random probes first, then a scan from a random start. `None` when full.
pub fn allocate_index(entries: u32, taken: impl Fn(u32) -> bool) -> Option<u32> {
    let rng = SystemRandom::new();
    let random = || {
        let mut b = [0u8; 4];
        rng.fill(&mut b)
            .ok()
            .map(|_| u32::from_le_bytes(b) % entries.max(1))
    };
    for _ in 0..64 {
        let idx = random()?;
        if !taken(idx) {
            return Some(idx);
        }
    }
    let start = random()?;
    (0..entries)
        .map(|i| (start + i) % entries)
        .find(|i| !taken(*i))
}

/// A status list token: where it lives, when it was made, how long it may be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    /// URI the credentials' `status` claims name (`sub`).
    pub uri: String,
    pub iat: i64,
    pub exp: i64,
    /// Seconds after `iat` a verifier may keep using it.
    pub ttl: i64,
    pub bits: StatusBits,
}

impl StatusList {
    /// Whether a verifier may still use the list at `now`, given its own maximum age.
    pub fn is_fresh(&self, now: i64, max_age: i64) -> bool {
        now < self.exp && now <= self.iat + self.ttl.min(max_age) && now >= self.iat - 300
    }

    /// Signs the list; returns the token (COSE_Sign1 bytes, not a QR).
    pub fn sign(&self, key: &SigningKey) -> Vec<u8> {
        let list = Value::Map(vec![
            (text("bits"), int(2)),
            (text("lst"), Value::Bytes(deflate(&self.bits.bytes))),
        ]);
        let claims = Value::Map(vec![
            (int(keys::SUB), text(&self.uri)),
            (int(keys::EXP), int(self.exp)),
            (int(keys::IAT), int(self.iat)),
            (int(keys::TTL), int(self.ttl)),
            (int(keys::STATUS_LIST), list),
        ]);
        cose::sign(key, true, Some(STATUS_LIST_TYP), map::to_bytes(&claims))
    }

    /// Verifies a token against the trust list (a key with purpose `status_list`,
    /// in its validity window at `iat`) and decodes it. Freshness is checked by
    /// the verifier against its clock.
    pub fn from_token(bytes: &[u8], trust: &TrustList) -> Result<Self, Rejection> {
        if bytes.len() > MAX_TOKEN_BYTES {
            return Err("status list token too large".into());
        }
        let parsed = cose::parse(bytes)?;
        if parsed.typ.as_deref() != Some(STATUS_LIST_TYP) {
            return Err("not a status list token".into());
        }
        let key = parsed
            .kid()
            .and_then(|k| trust.key(&k))
            .ok_or(Rejection::UnknownKey)?;
        parsed.verify(&key.public_key)?;
        if !key.allows(KeyPurpose::StatusList) {
            return Err(Rejection::KeyNotValidForPurpose);
        }
        let list = Self::from_claims(&parsed.payload)?;
        if !key.valid_at(list.iat) {
            return Err(Rejection::KeyExpired);
        }
        Ok(list)
    }

    fn from_claims(bytes: &[u8]) -> Result<Self, Rejection> {
        let m = MapView::of(Raw::whole(bytes)?)?;
        m.only_int_keys(&[
            keys::SUB,
            keys::EXP,
            keys::IAT,
            keys::TTL,
            keys::STATUS_LIST,
        ])?;
        let list = MapView::of(m.get(keys::STATUS_LIST).ok_or("missing status_list")?)?;
        list.only_text_keys(&["bits", "lst"])?;
        if as_i64(list.get_text("bits"), "status list bits")? != 2 {
            return Err("status list must use 2 bits per entry".into());
        }
        let lst = as_bytes(list.get_text("lst"), "status list lst")?;
        let bytes = inflate_capped(&lst, MAX_ENTRIES / 4)?;
        Ok(StatusList {
            uri: as_text(m.get(keys::SUB), "status list sub")?,
            iat: as_i64(m.get(keys::IAT), "status list iat")?,
            exp: as_i64(m.get(keys::EXP), "status list exp")?,
            ttl: as_i64(m.get(keys::TTL), "status list ttl")?,
            bits: StatusBits { bytes },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_bits_per_entry_lsb_first() {
        let mut bits = StatusBits::new(MIN_ENTRIES);
        bits.set(0, Status::Revoked);
        bits.set(1, Status::Suspended);
        bits.set(7, Status::Revoked);
        assert_eq!(bits.bytes[0], 0b0000_1001);
        assert_eq!(bits.bytes[1], 0b0100_0000);
        assert_eq!(bits.get(1), Some(Status::Suspended));
        bits.set(1, Status::Valid);
        assert_eq!(bits.get(1), Some(Status::Valid));
        assert_eq!(bits.get(MIN_ENTRIES as u32), None);
    }

    #[test]
    fn allocation_avoids_taken_and_reports_full() {
        let idx = allocate_index(8, |i| i != 5).unwrap();
        assert_eq!(idx, 5);
        assert_eq!(allocate_index(8, |_| true), None);
    }
}
