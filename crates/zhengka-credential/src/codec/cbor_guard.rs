//! A strict CBOR well-formedness check run on every layer before it is decoded:
//! bounded nesting depth and item count, definite lengths only, lengths that fit
//! in the input, map keys that are integers or text strings, no duplicate keys,
//! no tag except 18 (COSE_Sign1), no trailing bytes.

use std::collections::HashSet;

/// Deepest nesting of arrays and maps accepted.
pub const MAX_DEPTH: usize = 8;
/// Most data items accepted in one document.
pub const MAX_ITEMS: usize = 4096;
/// Maps up to this many entries check duplicates without a hash set.
const SMALL_MAP: usize = 16;
/// The COSE_Sign1 tag (RFC 9052 section 2).
pub const TAG_COSE_SIGN1: u64 = 18;

/// Checks that `bytes` hold exactly one CBOR data item within the limits above.
pub fn check(bytes: &[u8]) -> Result<(), &'static str> {
    let mut walker = Walker {
        bytes,
        pos: 0,
        items: 0,
    };
    walker.item(0)?;
    if walker.pos != bytes.len() {
        return Err("trailing bytes after the CBOR item");
    }
    Ok(())
}

/// A map key, normalised so that two encodings of one value compare equal.
#[derive(Hash, PartialEq, Eq, Clone, Copy)]
enum Key<'a> {
    Int(bool, u64),
    Text(&'a [u8]),
}

struct Walker<'a> {
    bytes: &'a [u8],
    pos: usize,
    items: usize,
}

impl<'a> Walker<'a> {
    fn byte(&mut self) -> Result<u8, &'static str> {
        let b = *self.bytes.get(self.pos).ok_or("truncated CBOR")?;
        self.pos += 1;
        Ok(b)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], &'static str> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err("CBOR length exceeds the input");
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.bytes[start..self.pos])
    }

    /// Reads an item head: (major type, argument).
    fn head(&mut self) -> Result<(u8, u64), &'static str> {
        self.items += 1;
        if self.items > MAX_ITEMS {
            return Err("too many CBOR items");
        }
        let initial = self.byte()?;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let arg = match info {
            0..=23 => u64::from(info),
            24..=27 => {
                let width = 1u64 << (info - 24);
                self.take(width)?
                    .iter()
                    .fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
            }
            31 => return Err("indefinite-length CBOR is not accepted"),
            _ => return Err("reserved CBOR additional information"),
        };
        Ok((major, arg))
    }

    fn item(&mut self, depth: usize) -> Result<Option<Key<'a>>, &'static str> {
        let (major, arg) = self.head()?;
        match major {
            0 => Ok(Some(Key::Int(false, arg))),
            1 => Ok(Some(Key::Int(true, arg))),
            2 => self.take(arg).map(|_| None),
            3 => {
                let text = self.take(arg)?;
                std::str::from_utf8(text).map_err(|_| "CBOR text is not UTF-8")?;
                Ok(Some(Key::Text(text)))
            }
            4 => self.array(arg, depth + 1).map(|_| None),
            5 => self.map(arg, depth + 1).map(|_| None),
            6 if arg == TAG_COSE_SIGN1 && depth == 0 => self.item(depth).map(|_| None),
            6 => Err("CBOR tag not accepted"),
            _ => Ok(None),
        }
    }

    fn array(&mut self, len: u64, depth: usize) -> Result<(), &'static str> {
        if depth > MAX_DEPTH {
            return Err("CBOR nested too deeply");
        }
        for _ in 0..len {
            self.item(depth)?;
        }
        Ok(())
    }

    fn map(&mut self, len: u64, depth: usize) -> Result<(), &'static str> {
        if depth > MAX_DEPTH {
            return Err("CBOR nested too deeply");
        }
        // Small maps (every map of this format) compare keys pairwise, without
        // hashing or allocating; big ones use a hash set.
        let mut small: [Option<Key<'a>>; SMALL_MAP] = [None; SMALL_MAP];
        let mut seen = HashSet::new();
        for i in 0..len {
            let key = self
                .item(depth)?
                .ok_or("CBOR map key must be an integer or text")?;
            let duplicate = if i < SMALL_MAP as u64 {
                let i = i as usize;
                let dup = small[..i].contains(&Some(key));
                small[i] = Some(key);
                dup
            } else {
                if seen.is_empty() {
                    seen.extend(small.iter().flatten().copied());
                }
                !seen.insert(key)
            };
            if duplicate {
                return Err("duplicate CBOR map key");
            }
            self.item(depth)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_items() {
        assert_eq!(check(&[0xa2, 0x01, 0x02, 0x61, b'a', 0x80]), Ok(()));
        assert_eq!(check(&[0xd2, 0x80]), Ok(()));
    }

    #[test]
    fn refuses_duplicates_even_in_other_encodings() {
        assert!(check(&[0xa2, 0x01, 0x00, 0x01, 0x00]).is_err());
        assert!(check(&[0xa2, 0x01, 0x00, 0x18, 0x01, 0x00]).is_err());
    }

    #[test]
    fn refuses_duplicates_in_big_maps_too() {
        for (first, second) in [(3usize, 10usize), (3, 40), (20, 40), (39, 40)] {
            let mut map = vec![0xb8, 41];
            for i in 0..41u8 {
                let key = if usize::from(i) == second {
                    first as u8
                } else {
                    i
                };
                map.extend_from_slice(&[0x18, key, 0x00]);
            }
            assert_eq!(
                check(&map),
                Err("duplicate CBOR map key"),
                "{first} {second}"
            );
        }
        let mut map = vec![0xb8, 41];
        for i in 0..41u8 {
            map.extend_from_slice(&[0x18, i, 0x00]);
        }
        assert_eq!(check(&map), Ok(()));
    }

    #[test]
    fn refuses_depth_lengths_tags_and_trailing() {
        let deep = [vec![0x81; MAX_DEPTH + 1], vec![0x00]].concat();
        assert_eq!(check(&deep), Err("CBOR nested too deeply"));
        assert!(check(&[0x5a, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(check(&[0x9f, 0xff]).is_err());
        assert!(check(&[0xc1, 0x00]).is_err());
        assert!(check(&[0x00, 0x00]).is_err());
        assert!(check(&[0xa1, 0x40, 0x00]).is_err());
    }
}
