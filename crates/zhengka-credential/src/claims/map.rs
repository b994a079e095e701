//! Small helpers to build and read CBOR maps with integer or text keys.

use ciborium::Value;

use crate::error::Rejection;

/// Encodes a value to CBOR bytes.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing to a Vec cannot fail");
    out
}

/// Decodes CBOR bytes that already passed `cbor_guard::check`.
pub fn from_bytes(bytes: &[u8]) -> Result<Value, Rejection> {
    ciborium::from_reader(bytes).map_err(|_| Rejection::Malformed("invalid CBOR"))
}

/// An integer map key.
pub fn int(key: i64) -> Value {
    Value::Integer(key.into())
}

/// A text value or map key.
pub fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

/// A read-only view of a CBOR map.
pub struct MapView<'a>(&'a [(Value, Value)]);

impl<'a> MapView<'a> {
    /// Views `value` as a map.
    pub fn of(value: &'a Value) -> Result<Self, Rejection> {
        value
            .as_map()
            .map(|m| MapView(m))
            .ok_or(Rejection::Malformed("expected a CBOR map"))
    }

    /// The entries of the map.
    pub(crate) fn entries(&self) -> &'a [(Value, Value)] {
        self.0
    }

    /// The value under integer key `key`.
    pub fn get(&self, key: i64) -> Option<&'a Value> {
        self.0
            .iter()
            .find(|(k, _)| k.as_integer() == Some(key.into()))
            .map(|(_, v)| v)
    }

    /// The value under text key `key`.
    pub fn get_text(&self, key: &str) -> Option<&'a Value> {
        self.0
            .iter()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
    }

    /// Refuses any integer key not in `known` and any text key.
    pub fn only_int_keys(&self, known: &[i64]) -> Result<(), Rejection> {
        let ok = self.0.iter().all(|(k, _)| {
            k.as_integer()
                .and_then(|i| i64::try_from(i).ok())
                .is_some_and(|i| known.contains(&i))
        });
        ok.then_some(())
            .ok_or(Rejection::Malformed("unknown claim key"))
    }

    /// Refuses any text key not in `known` and any integer key.
    pub fn only_text_keys(&self, known: &[&str]) -> Result<(), Rejection> {
        let ok = self
            .0
            .iter()
            .all(|(k, _)| k.as_text().is_some_and(|t| known.contains(&t)));
        ok.then_some(())
            .ok_or(Rejection::Malformed("unknown field"))
    }
}

/// Reads an integer that fits in i64.
pub fn as_i64(value: Option<&Value>, what: &'static str) -> Result<i64, Rejection> {
    value
        .and_then(Value::as_integer)
        .and_then(|i| i64::try_from(i).ok())
        .ok_or(Rejection::Malformed(what))
}

/// Reads a text string.
pub fn as_text(value: Option<&Value>, what: &'static str) -> Result<String, Rejection> {
    value
        .and_then(Value::as_text)
        .map(str::to_owned)
        .ok_or(Rejection::Malformed(what))
}

/// Reads a byte string.
pub fn as_bytes(value: Option<&Value>, what: &'static str) -> Result<Vec<u8>, Rejection> {
    value
        .and_then(Value::as_bytes)
        .cloned()
        .ok_or(Rejection::Malformed(what))
}
