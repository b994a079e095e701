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
/// Largest list accepted (entries), bounding the inflated size to 8 MiB:
/// room for 10 million credentials and more at the density lists keep.
pub const MAX_ENTRIES: usize = 32 * 1024 * 1024;
/// Largest signed token accepted.
pub const MAX_TOKEN_BYTES: usize = 8 * 1024 * 1024 + 4096;

/// The size of a list whose highest index in use is `max_idx`: the smallest
/// multiple of `MIN_ENTRIES` above it (at least `MIN_ENTRIES`). Lists grow in
/// these steps as indexes above the current size are handed out.
pub fn list_entries(max_idx: Option<u32>) -> usize {
    let needed = max_idx.map_or(0, |i| i as usize + 1);
    needed.div_ceil(MIN_ENTRIES).max(1) * MIN_ENTRIES
}

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

    /// The bitstring (4 entries per byte).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bits of `entries` entries, all valid but those `statuses` names
    /// (in any order; a later one for the same index wins). An index past the
    /// end is refused.
    pub fn from_entries(
        entries: usize,
        statuses: impl IntoIterator<Item = (u32, Status)>,
    ) -> Result<Self, Rejection> {
        let mut bits = Self::new(entries);
        for (idx, status) in statuses {
            if idx as usize >= bits.len() {
                return Err("status index past the end of the list".into());
            }
            bits.set(idx, status);
        }
        Ok(bits)
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
        let head = StatusListHead {
            uri: self.uri.clone(),
            iat: self.iat,
            exp: self.exp,
            ttl: self.ttl,
        };
        head.sign(deflate(&self.bits.bytes), key)
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

/// A status list's claims but its bits, for a list whose bits were
/// compressed as they were read (`StatusEncoder`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListHead {
    pub uri: String,
    pub iat: i64,
    pub exp: i64,
    pub ttl: i64,
}

impl StatusListHead {
    /// Signs the list with `lst`, the zlib-compressed bitstring; the same
    /// token `StatusList::sign` makes for the same bits.
    pub fn sign(&self, lst: Vec<u8>, key: &SigningKey) -> Vec<u8> {
        let list = Value::Map(vec![
            (text("bits"), int(2)),
            (text("lst"), Value::Bytes(lst)),
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
}

/// Bytes handed to the compressor at a time.
const CHUNK: usize = 64 * 1024;

/// Builds the compressed bitstring from entries in ascending index order,
/// without holding the bitstring: each finished byte goes to a small buffer
/// that is compressed (zlib, as `deflate`) when full. Indexes not pushed are
/// valid. The output is byte for byte what `deflate` gives for the same bits.
pub struct StatusEncoder {
    z: flate2::write::ZlibEncoder<Vec<u8>>,
    chunk: Vec<u8>,
    /// Bytes of the bitstring finished (handed to `chunk` or compressed).
    done: usize,
    /// The byte at `done`, being filled.
    current: u8,
}

impl Default for StatusEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusEncoder {
    pub fn new() -> Self {
        Self {
            z: crate::codec::deflater(),
            chunk: Vec::with_capacity(CHUNK),
            done: 0,
            current: 0,
        }
    }

    /// Sets entry `idx` to `status`; indexes must not go down (the same
    /// index again overwrites).
    pub fn push(&mut self, idx: u32, status: Status) -> Result<(), Rejection> {
        let byte = idx as usize / 4;
        if byte < self.done {
            return Err("status entries out of order".into());
        }
        if byte > self.done {
            let current = std::mem::take(&mut self.current);
            self.emit(current, 1);
            self.emit(0, byte - self.done);
        }
        let shift = (idx % 4) * 2;
        self.current = (self.current & !(0b11 << shift)) | ((status as u8) << shift);
        Ok(())
    }

    /// Entries covered so far (the next byte boundary past the last push).
    pub fn len(&self) -> usize {
        (self.done + 1) * 4
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.done == 0 && self.current == 0
    }

    /// The compressed bitstring of `entries` entries (more when a pushed
    /// index needs them).
    pub fn finish(mut self, entries: usize) -> Vec<u8> {
        let total = entries.div_ceil(4).max(self.done + 1);
        let current = self.current;
        self.emit(current, 1);
        self.emit(0, total - self.done);
        self.flush_chunk();
        self.z.finish().expect("writing to a Vec cannot fail")
    }

    /// Appends `count` copies of `byte`.
    fn emit(&mut self, byte: u8, mut count: usize) {
        self.done += count;
        while count > 0 {
            let n = count.min(CHUNK - self.chunk.len());
            self.chunk.resize(self.chunk.len() + n, byte);
            count -= n;
            if self.chunk.len() == CHUNK {
                self.flush_chunk();
            }
        }
    }

    fn flush_chunk(&mut self) {
        use std::io::Write as _;
        self.z
            .write_all(&self.chunk)
            .expect("writing to a Vec cannot fail");
        self.chunk.clear();
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

#[cfg(test)]
mod streaming {
    use proptest::prelude::*;

    use super::*;

    fn status(v: u8) -> Status {
        match v % 3 {
            0 => Status::Valid,
            1 => Status::Revoked,
            _ => Status::Suspended,
        }
    }

    /// The old way: every entry set in a full bitstring, then compressed.
    fn loaded(entries: usize, set: &[(u32, Status)]) -> Vec<u8> {
        let mut bits = StatusBits::new(entries);
        for (i, s) in set {
            bits.set(*i, *s);
        }
        deflate(&bits.bytes)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Streamed entries in index order give the same compressed bytes as
        /// the full bitstring, gaps included, across chunk boundaries.
        #[test]
        fn encoder_matches_full_bitstring(
            raw in proptest::collection::vec((0u32..600_000, any::<u8>()), 0..400),
            extra in 0usize..3,
        ) {
            let mut set: Vec<(u32, Status)> = raw.iter().map(|(i, v)| (*i, status(*v))).collect();
            set.sort_by_key(|(i, _)| *i);
            let entries = list_entries(set.last().map(|(i, _)| *i)) + extra * MIN_ENTRIES;
            let mut enc = StatusEncoder::new();
            for (i, s) in &set {
                enc.push(*i, *s).unwrap();
            }
            prop_assert_eq!(enc.finish(entries), loaded(entries, &set));
            let bits = StatusBits::from_entries(entries, set.iter().rev().copied().rev()).unwrap();
            prop_assert_eq!(deflate(&bits.bytes), loaded(entries, &set));
        }
    }

    #[test]
    fn encoder_refuses_going_back_and_grows_past_the_size() {
        let mut enc = StatusEncoder::new();
        enc.push(100, Status::Revoked).unwrap();
        enc.push(101, Status::Suspended).unwrap();
        assert!(enc.push(10, Status::Revoked).is_err());
        // An index above the size asked for widens the list.
        let mut enc = StatusEncoder::new();
        enc.push(MIN_ENTRIES as u32 + 5, Status::Revoked).unwrap();
        let mut set = vec![(MIN_ENTRIES as u32 + 5, Status::Revoked)];
        assert_eq!(enc.finish(MIN_ENTRIES), loaded(MIN_ENTRIES + 8, &set));
        set.clear();
        assert_eq!(
            StatusEncoder::new().finish(MIN_ENTRIES),
            loaded(MIN_ENTRIES, &set)
        );
        assert!(StatusBits::from_entries(8, [(8, Status::Revoked)]).is_err());
    }

    #[test]
    fn list_sizes_grow_in_steps() {
        assert_eq!(list_entries(None), MIN_ENTRIES);
        assert_eq!(list_entries(Some(0)), MIN_ENTRIES);
        assert_eq!(list_entries(Some(MIN_ENTRIES as u32 - 1)), MIN_ENTRIES);
        assert_eq!(list_entries(Some(MIN_ENTRIES as u32)), 2 * MIN_ENTRIES);
    }

    #[test]
    fn a_ten_million_entry_list_round_trips() {
        let key = SigningKey::generate(crate::Algorithm::Es256).unwrap();
        let entries = list_entries(Some(14_999_999));
        let mut enc = StatusEncoder::new();
        for i in (0..15_000_000u32).step_by(997) {
            enc.push(i, Status::Revoked).unwrap();
        }
        let head = StatusListHead {
            uri: "urn:x".into(),
            iat: 10,
            exp: 20,
            ttl: 10,
        };
        let token = head.sign(enc.finish(entries), &key);
        let trust = TrustList {
            iss: "t".into(),
            seq: 1,
            iat: 0,
            exp: 100,
            keys: vec![crate::IssuerKey {
                public_key: key.public_key().clone(),
                region: "440000".into(),
                purposes: vec![KeyPurpose::StatusList],
                valid_from: 0,
                valid_to: 100,
            }],
        };
        let list = StatusList::from_token(&token, &trust).unwrap();
        assert_eq!(list.bits.len(), entries);
        assert_eq!(list.bits.get(997 * 3), Some(Status::Revoked));
        assert_eq!(list.bits.get(997 * 3 + 1), Some(Status::Valid));
    }
}
