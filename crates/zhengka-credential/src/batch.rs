//! Many signatures verified at once (gate log uploads): the Ed25519 items in one
//! `ed25519_dalek::verify_batch`, and one by one only when that batch fails, to
//! find the bad ones. Items of other algorithms are verified one by one.

use ed25519_dalek::{Signature, VerifyingKey};

use crate::keys::PublicKey;

/// One signed item: the key it claims, the signed bytes, the signature.
#[derive(Debug, Clone, Copy)]
pub struct SignedItem<'a> {
    pub key: &'a PublicKey,
    pub message: &'a [u8],
    pub signature: &'a [u8],
}

/// Verifies every item and returns one verdict per item, in order (`true`: the
/// signature is valid). An empty slice gives an empty vector.
///
/// The verdicts are those of [`PublicKey::verify`] (`verify_strict` for Ed25519):
/// before the batch, each Ed25519 item is refused if its key or its `R` is of
/// small order or `R` is not canonically encoded, which the batch equation alone
/// would not catch. One difference remains, by the nature of batch verification:
/// a signer holding the private key can make a signature with a mixed-order `R`
/// (a point plus a small-order one) that the single check refuses and the batch
/// equation may accept. That is no forgery (it needs the private key), so it
/// cannot make an item appear signed by someone else.
pub fn verify_batch(items: &[SignedItem<'_>]) -> Vec<bool> {
    let mut verdicts = vec![false; items.len()];
    let mut batch = Batch::default();
    for (i, item) in items.iter().enumerate() {
        match item.key.ed25519() {
            Some(key) => {
                if let Some(sig) = strict_shape(key, item.signature) {
                    batch.push(i, key, item.message, sig);
                }
            }
            None => verdicts[i] = item.key.verify(item.message, item.signature),
        }
    }
    batch.verify_into(&mut verdicts);
    verdicts
}

/// The signature, if key and signature pass the checks `verify_strict` makes
/// beyond the batch equation: no small-order key or `R`, `R` canonical. (A
/// non-canonical `s` fails the batch, and then its own single check.) No field
/// arithmetic: `R` is judged by its encoding.
fn strict_shape(key: &VerifyingKey, signature: &[u8]) -> Option<Signature> {
    let sig = Signature::from_slice(signature).ok()?;
    let ok = is_canonical_y(sig.r_bytes()) && !is_small_order(sig.r_bytes()) && !key.is_weak();
    ok.then_some(sig)
}

/// The y coordinates (little-endian, sign bit clear) of the 8 points of small
/// order: 0, 1, p - 1 and the two of order 8. With either sign bit they are
/// exactly the encodings that decode to a small-order point (libsodium's list).
const SMALL_ORDER_Y: [[u8; 32]; 5] = [
    [0; 32],
    {
        let mut one = [0; 32];
        one[0] = 1;
        one
    },
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
];

fn y_of(point: &[u8; 32]) -> [u8; 32] {
    let mut y = *point;
    y[31] &= 0x7f;
    y
}

fn is_small_order(point: &[u8; 32]) -> bool {
    SMALL_ORDER_Y.contains(&y_of(point))
}

/// y < p = 2^255 - 19 (a point with x = 0 and the sign bit set, the other
/// non-canonical form, is of small order and refused as such).
fn is_canonical_y(point: &[u8; 32]) -> bool {
    let y = y_of(point);
    !(y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed)
}

/// The Ed25519 items that go into one batch, with their positions.
#[derive(Default)]
struct Batch<'a> {
    index: Vec<usize>,
    keys: Vec<VerifyingKey>,
    messages: Vec<&'a [u8]>,
    signatures: Vec<Signature>,
}

impl<'a> Batch<'a> {
    fn push(&mut self, i: usize, key: &VerifyingKey, message: &'a [u8], sig: Signature) {
        self.index.push(i);
        self.keys.push(*key);
        self.messages.push(message);
        self.signatures.push(sig);
    }

    /// All true if the batch holds; otherwise each item checked on its own.
    fn verify_into(&self, verdicts: &mut [bool]) {
        if self.index.is_empty() {
            return;
        }
        if ed25519_dalek::verify_batch(&self.messages, &self.signatures, &self.keys).is_ok() {
            self.index.iter().for_each(|&i| verdicts[i] = true);
            return;
        }
        for (n, &i) in self.index.iter().enumerate() {
            verdicts[i] = self.keys[n]
                .verify_strict(self.messages[n], &self.signatures[n])
                .is_ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alg::Algorithm;
    use crate::keys::SigningKey;
    use ed25519_dalek::Verifier as _;
    use sha2::Digest as _;

    struct Signed {
        key: PublicKey,
        message: Vec<u8>,
        signature: Vec<u8>,
    }

    fn signed(n: usize, alg: Algorithm) -> Vec<Signed> {
        let key = SigningKey::generate(alg).unwrap();
        (0..n)
            .map(|i| {
                let message = format!("gate 7 log line {i}").into_bytes();
                let signature = key.sign(&message);
                Signed {
                    key: key.public_key().clone(),
                    message,
                    signature,
                }
            })
            .collect()
    }

    fn verdicts(all: &[Signed]) -> Vec<bool> {
        let items: Vec<SignedItem> = all
            .iter()
            .map(|s| SignedItem {
                key: &s.key,
                message: &s.message,
                signature: &s.signature,
            })
            .collect();
        verify_batch(&items)
    }

    #[test]
    fn empty_gives_no_verdicts() {
        assert!(verify_batch(&[]).is_empty());
    }

    #[test]
    fn all_good_are_all_true() {
        let mut all = signed(40, Algorithm::EdDsa);
        all.extend(signed(24, Algorithm::EdDsa));
        assert_eq!(verdicts(&all), vec![true; 64]);
    }

    #[test]
    fn one_bad_among_many_is_found() {
        for bad in [0, 17, 63] {
            let mut all = signed(64, Algorithm::EdDsa);
            all[bad].signature[5] ^= 0x01;
            let expected: Vec<bool> = (0..64).map(|i| i != bad).collect();
            assert_eq!(verdicts(&all), expected, "bad item {bad}");
        }
        // A changed message, a short signature and a non-canonical s (s + L).
        let mut all = signed(10, Algorithm::EdDsa);
        all[2].message.push(b'!');
        all[4].signature.pop();
        all[6].signature = s_plus_l(&all[6].signature);
        let expected: Vec<bool> = (0..10).map(|i| ![2, 4, 6].contains(&i)).collect();
        assert_eq!(verdicts(&all), expected);
    }

    #[test]
    fn other_algorithms_are_checked_one_by_one() {
        let mut all = signed(3, Algorithm::EdDsa);
        all.extend(signed(2, Algorithm::Es256));
        all.extend(signed(2, Algorithm::Sm2Sm3));
        all[4].signature[0] ^= 0x80;
        assert_eq!(verdicts(&all), [true, true, true, true, false, true, true]);
    }

    #[test]
    fn small_order_key_and_r_are_refused_as_verify_strict_does() {
        // The identity as key and as R with s = 0 satisfies the plain (and the
        // batch) equation for every message; verify_strict refuses it.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let weak = PublicKey::from_bytes(Algorithm::EdDsa, &identity).unwrap();
        let forged = [&identity[..], &[0u8; 32]].concat();
        // A real key, R = identity, s = H(R, A, M) * a: valid under the plain
        // equation (ring accepts it), refused by verify_strict (R of small order).
        let dalek = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let real =
            PublicKey::from_bytes(Algorithm::EdDsa, dalek.verifying_key().as_bytes()).unwrap();
        let k = curve25519_dalek::Scalar::from_hash(
            sha2::Sha512::default()
                .chain_update(identity)
                .chain_update(dalek.verifying_key().as_bytes())
                .chain_update(b"anything"),
        );
        let small_r = [&identity[..], (k * dalek.to_scalar()).as_bytes()].concat();
        let small_r_sig = Signature::from_slice(&small_r).unwrap();
        assert!(
            dalek
                .verifying_key()
                .verify(b"anything", &small_r_sig)
                .is_ok()
        );

        let mut all = signed(8, Algorithm::EdDsa);
        for (at, key, signature) in [(3, &weak, &forged), (6, &real, &small_r)] {
            let (key, message, signature) = (key.clone(), b"anything".to_vec(), signature.clone());
            all.insert(
                at,
                Signed {
                    key,
                    message,
                    signature,
                },
            );
        }
        let expected: Vec<bool> = (0..10).map(|i| i != 3 && i != 6).collect();
        assert_eq!(verdicts(&all), expected);
        assert!(!weak.verify(b"anything", &forged));
        assert!(!real.verify(b"anything", &small_r));
        // Without the pre-check the batch would have passed both.
        let keys = [
            VerifyingKey::from_bytes(&identity).unwrap(),
            dalek.verifying_key(),
        ];
        let sigs = [Signature::from_slice(&forged).unwrap(), small_r_sig];
        assert!(ed25519_dalek::verify_batch(&[b"anything", b"anything"], &sigs, &keys).is_ok());
    }

    #[test]
    fn small_order_encodings_are_those_dalek_finds_weak() {
        for y in SMALL_ORDER_Y {
            for sign in [0, 0x80] {
                let mut point = y;
                point[31] |= sign;
                assert!(is_small_order(&point));
                if let Ok(key) = VerifyingKey::from_bytes(&point) {
                    assert!(key.is_weak(), "{point:02x?}");
                }
            }
        }
        for item in signed(50, Algorithm::EdDsa) {
            let sig = Signature::from_slice(&item.signature).unwrap();
            assert!(is_canonical_y(sig.r_bytes()) && !is_small_order(sig.r_bytes()));
            assert!(!is_small_order(item.key.as_bytes().try_into().unwrap()));
        }
        // y = p and y = 2^255 - 1 are not canonical; y = p - 1 is.
        let mut y = [0xff; 32];
        y[31] = 0x7f;
        assert!(!is_canonical_y(&y));
        y[0] = 0xed;
        assert!(!is_canonical_y(&y));
        y[0] = 0xec;
        assert!(is_canonical_y(&y));
    }

    /// The signature with L added to its s half (still 32 bytes, not reduced).
    fn s_plus_l(signature: &[u8]) -> Vec<u8> {
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut out = signature.to_vec();
        let mut carry = 0u16;
        for (byte, l) in out[32..].iter_mut().zip(L) {
            let sum = u16::from(*byte) + u16::from(l) + carry;
            *byte = sum as u8;
            carry = sum >> 8;
        }
        out
    }
}
