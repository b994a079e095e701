//! Session tokens: 256 random bits, shown once, stored only as a hash.

use ring::rand::{SecureRandom, SystemRandom};
use zhengka_store::vault::hex;

pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random source works");
    hex(&bytes)
}

pub fn hash(token: &str) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref())
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random source works");
    bytes
}

/// A random 64-bit number (identifiers, permit numbers).
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system random source works");
    u64::from_le_bytes(bytes)
}
