use std::fmt;

use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// The work permit number: opaque, system-assigned, a lifetime identifier of the
/// person (not of one permit period). Upper-case letters and digits, 6 to 32.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PermitNumber(String);

impl PermitNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if !(6..=32).contains(&s.len()) {
            return Err(InvalidValue::new(
                "invalid_permit_number_length",
                "a permit number has 6 to 32 characters",
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(InvalidValue::new(
                "invalid_permit_number",
                "a permit number has only Latin letters and digits",
            ));
        }
        Ok(Self(s))
    }

    /// Build the number a new permit gets: region prefix and random digits.
    /// The randomness comes from the caller, so the domain stays pure.
    pub fn assign(region_prefix: &str, random: u64) -> Self {
        Self(format!(
            "{region_prefix}{:013}",
            random % 10_000_000_000_000
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PermitNumber {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PermitNumber> for String {
    fn from(p: PermitNumber) -> String {
        p.0
    }
}

impl fmt::Display for PermitNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PermitNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PermitNumber({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assigned_numbers_parse() {
        let n = PermitNumber::assign("440100", 42);
        assert_eq!(n.as_str(), "4401000000000000042");
        assert_eq!(PermitNumber::parse(n.as_str()).unwrap(), n);
        let n = PermitNumber::assign("44", u64::MAX);
        assert!(PermitNumber::parse(n.as_str()).is_ok());
    }

    #[test]
    fn bad_numbers_are_refused() {
        assert_eq!(
            PermitNumber::parse("123").unwrap_err().code,
            "invalid_permit_number_length"
        );
        assert_eq!(
            PermitNumber::parse("1234 5678").unwrap_err().code,
            "invalid_permit_number"
        );
        assert_eq!(
            PermitNumber::parse("ab12cd34").unwrap().as_str(),
            "AB12CD34"
        );
    }
}
