//! A borrowing CBOR reader for the decoding hot path: no `ciborium::Value` tree,
//! no copies until a field is taken out. It reads bytes that already passed
//! [`cbor_guard::check`](super::cbor_guard::check) (which enforces the format's
//! strictness rules), but is itself bounds-checked and depth-capped, so it never
//! panics or recurses without bound on any input.

use super::cbor_guard::MAX_DEPTH;
use crate::error::Rejection;

const INVALID: &str = "invalid CBOR";

/// Major types.
const UINT: u8 = 0;
const NINT: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const ARRAY: u8 = 4;
const MAP: u8 = 5;
const TAG: u8 = 6;

/// A cursor over CBOR bytes.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// The next byte, not consumed.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Whether every byte was read.
    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], &'static str> {
        let left = (self.bytes.len() - self.pos) as u64;
        if n > left {
            return Err(INVALID);
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.bytes[start..self.pos])
    }

    /// Reads an item head: (major type, argument). Indefinite lengths are refused.
    pub(crate) fn head(&mut self) -> Result<(u8, u64), &'static str> {
        let initial = *self.bytes.get(self.pos).ok_or(INVALID)?;
        self.pos += 1;
        let (major, info) = (initial >> 5, initial & 0x1f);
        let arg = match info {
            0..=23 => u64::from(info),
            24..=27 => self
                .take(1 << (info - 24))?
                .iter()
                .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
            _ => return Err(INVALID),
        };
        Ok((major, arg))
    }

    /// Reads a byte string.
    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], &'static str> {
        match self.head()? {
            (BYTES, len) => self.take(len),
            _ => Err(INVALID),
        }
    }

    /// Skips one whole item, refusing nesting deeper than the guard allows.
    fn skip(&mut self, depth: usize) -> Result<(), &'static str> {
        let (major, arg) = self.head()?;
        match major {
            BYTES | TEXT => self.take(arg).map(|_| ()),
            ARRAY | MAP if depth > MAX_DEPTH => Err("CBOR nested too deeply"),
            ARRAY | MAP => {
                let items = if major == MAP {
                    arg.saturating_mul(2)
                } else {
                    arg
                };
                for _ in 0..items {
                    self.skip(depth + 1)?;
                }
                Ok(())
            }
            TAG if depth > MAX_DEPTH => Err("CBOR nested too deeply"),
            TAG => self.skip(depth + 1),
            _ => Ok(()),
        }
    }

    /// The raw bytes of the next whole item.
    pub(crate) fn item(&mut self) -> Result<Raw<'a>, &'static str> {
        let start = self.pos;
        self.skip(0)?;
        Ok(Raw(&self.bytes[start..self.pos]))
    }
}

/// The encoded bytes of exactly one CBOR item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Raw<'a>(pub(crate) &'a [u8]);

impl<'a> Raw<'a> {
    /// Checks that `bytes` hold exactly one item and nothing after it.
    pub(crate) fn whole(bytes: &'a [u8]) -> Result<Self, Rejection> {
        let mut r = Reader::new(bytes);
        let raw = r.item()?;
        if !r.at_end() {
            return Err("trailing bytes after the CBOR item".into());
        }
        Ok(raw)
    }

    fn head(self) -> Option<(u8, u64, Reader<'a>)> {
        let mut r = Reader::new(self.0);
        let (major, arg) = r.head().ok()?;
        Some((major, arg, r))
    }

    /// The integer, if it is one and fits in i64.
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self.head()? {
            (UINT, arg, _) => i64::try_from(arg).ok(),
            (NINT, arg, _) => i64::try_from(arg).ok().map(|n| -1 - n),
            _ => None,
        }
    }

    /// The text, if it is a (UTF-8) text string.
    pub(crate) fn as_str(self) -> Option<&'a str> {
        match self.head()? {
            (TEXT, len, mut r) => std::str::from_utf8(r.take(len).ok()?).ok(),
            _ => None,
        }
    }

    /// The bytes, if it is a byte string.
    pub(crate) fn as_bytes(self) -> Option<&'a [u8]> {
        match self.head()? {
            (BYTES, len, mut r) => r.take(len).ok(),
            _ => None,
        }
    }

    /// The elements, if it is an array.
    pub(crate) fn as_array(self) -> Option<Vec<Raw<'a>>> {
        let (ARRAY, len, mut r) = self.head()? else {
            return None;
        };
        let mut out = Vec::with_capacity(len.min(64) as usize);
        for _ in 0..len {
            out.push(r.item().ok()?);
        }
        Some(out)
    }
}

/// A map key: an integer or a text string (anything else is kept as `Other`, for
/// the caller to refuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key<'a> {
    Int(i128),
    Text(&'a [u8]),
    Other,
}

/// A read-only view of a CBOR map whose values stay encoded until read.
pub(crate) struct MapView<'a>(Vec<(Key<'a>, Raw<'a>)>);

impl<'a> MapView<'a> {
    /// Views `raw` as a map.
    pub(crate) fn of(raw: Raw<'a>) -> Result<Self, Rejection> {
        let not_map = Rejection::Malformed("expected a CBOR map");
        let (MAP, len, mut r) = raw.head().ok_or(not_map.clone())? else {
            return Err(not_map);
        };
        let mut entries = Vec::with_capacity(len.min(32) as usize);
        for _ in 0..len {
            let key = r.item()?;
            let key = match key.head() {
                Some((UINT, arg, _)) => Key::Int(i128::from(arg)),
                Some((NINT, arg, _)) => Key::Int(-1 - i128::from(arg)),
                Some((TEXT, len, mut k)) => Key::Text(k.take(len)?),
                _ => Key::Other,
            };
            entries.push((key, r.item()?));
        }
        Ok(MapView(entries))
    }

    /// The value under integer key `key`.
    pub(crate) fn get(&self, key: i64) -> Option<Raw<'a>> {
        let key = Key::Int(i128::from(key));
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// The value under text key `key`.
    pub(crate) fn get_text(&self, key: &str) -> Option<Raw<'a>> {
        let key = Key::Text(key.as_bytes());
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// Refuses any integer key not in `known` and any text key.
    pub(crate) fn only_int_keys(&self, known: &[i64]) -> Result<(), Rejection> {
        let ok = self.0.iter().all(|(k, _)| match k {
            Key::Int(i) => i64::try_from(*i).is_ok_and(|i| known.contains(&i)),
            _ => false,
        });
        ok.then_some(())
            .ok_or(Rejection::Malformed("unknown claim key"))
    }

    /// Refuses any text key not in `known` and any integer key.
    pub(crate) fn only_text_keys(&self, known: &[&str]) -> Result<(), Rejection> {
        let ok = self.0.iter().all(|(k, _)| match k {
            Key::Text(t) => known.iter().any(|n| n.as_bytes() == *t),
            _ => false,
        });
        ok.then_some(())
            .ok_or(Rejection::Malformed("unknown field"))
    }
}

/// Reads an integer that fits in i64.
pub(crate) fn as_i64(value: Option<Raw<'_>>, what: &'static str) -> Result<i64, Rejection> {
    value
        .and_then(Raw::as_i64)
        .ok_or(Rejection::Malformed(what))
}

/// Reads a text string.
pub(crate) fn as_text(value: Option<Raw<'_>>, what: &'static str) -> Result<String, Rejection> {
    value
        .and_then(Raw::as_str)
        .map(str::to_owned)
        .ok_or(Rejection::Malformed(what))
}

/// Reads a byte string.
pub(crate) fn as_bytes(value: Option<Raw<'_>>, what: &'static str) -> Result<Vec<u8>, Rejection> {
    value
        .and_then(Raw::as_bytes)
        .map(<[u8]>::to_vec)
        .ok_or(Rejection::Malformed(what))
}

/// Appends a byte string head of minimal length for `len` bytes (RFC 8949 4.2.1).
pub(crate) fn push_bstr_head(out: &mut Vec<u8>, len: usize) {
    let len = len as u64;
    let major = BYTES << 5;
    match len {
        0..=23 => out.push(major | len as u8),
        24..=0xff => out.extend_from_slice(&[major | 24, len as u8]),
        0x100..=0xffff => {
            out.push(major | 25);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(major | 26);
            out.extend_from_slice(&(len as u32).to_be_bytes());
        }
        _ => {
            out.push(major | 27);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciborium::Value;

    fn enc(v: &Value) -> Vec<u8> {
        crate::claims::map::to_bytes(v)
    }

    #[test]
    fn reads_what_ciborium_writes() {
        let v = Value::Map(vec![
            (Value::Integer(1.into()), Value::Text("330100".into())),
            (Value::Integer((-65537).into()), Value::Bytes(vec![1, 2, 3])),
            (Value::Text("k".into()), Value::Array(vec![Value::Null])),
            (
                Value::Integer(i64::MIN.into()),
                Value::Integer(i64::MAX.into()),
            ),
        ]);
        let bytes = enc(&v);
        let m = MapView::of(Raw::whole(&bytes).unwrap()).unwrap();
        assert_eq!(m.get(1).and_then(Raw::as_str), Some("330100"));
        assert_eq!(
            m.get(-65537).and_then(Raw::as_bytes),
            Some(&[1u8, 2, 3][..])
        );
        assert_eq!(
            m.get_text("k").and_then(Raw::as_array).map(|a| a.len()),
            Some(1)
        );
        assert_eq!(m.get(i64::MIN).and_then(Raw::as_i64), Some(i64::MAX));
        assert_eq!(m.get(2), None);
        assert!(m.only_int_keys(&[1, -65537, i64::MIN]).is_err());
    }

    #[test]
    fn integers_outside_i64_are_not_i64() {
        let big = enc(&Value::Integer(u64::MAX.into()));
        assert_eq!(Raw::whole(&big).unwrap().as_i64(), None);
        let small = enc(&Value::Integer(
            (-1 - i128::from(u64::MAX)).try_into().unwrap(),
        ));
        assert_eq!(Raw::whole(&small).unwrap().as_i64(), None);
        assert_eq!(
            Raw::whole(&[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                .unwrap()
                .as_i64(),
            Some(i64::MIN)
        );
    }

    #[test]
    fn bstr_heads_are_minimal() {
        for len in [0usize, 23, 24, 255, 256, 65535, 65536] {
            let mut out = Vec::new();
            push_bstr_head(&mut out, len);
            let expected = enc(&Value::Bytes(vec![0; len]));
            assert_eq!(out, expected[..out.len()], "{len}");
        }
    }

    #[test]
    fn refuses_truncation_depth_and_trailing() {
        assert!(Raw::whole(&[0x5a, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(Raw::whole(&[0x00, 0x00]).is_err());
        assert!(Raw::whole(&[0x9f, 0xff]).is_err());
        let deep = [vec![0x81; 100_000], vec![0x00]].concat();
        assert!(Raw::whole(&deep).is_err());
    }
}
