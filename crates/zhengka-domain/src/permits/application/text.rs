//! Small text types of the application form.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// Free text of `MIN..=MAX` characters after trimming, without control characters.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BoundedText<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> BoundedText<MIN, MAX> {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        let len = s.chars().count();
        if len < MIN {
            return Err(InvalidValue::new(
                "too_short",
                format!("must have at least {MIN} characters"),
            ));
        }
        if len > MAX {
            return Err(InvalidValue::new(
                "too_long",
                format!("must have at most {MAX} characters"),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(InvalidValue::new(
                "control_character",
                "must not contain control characters",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> TryFrom<String> for BoundedText<MIN, MAX> {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl<const MIN: usize, const MAX: usize> From<BoundedText<MIN, MAX>> for String {
    fn from(t: BoundedText<MIN, MAX>) -> String {
        t.0
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Display for BoundedText<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Debug for BoundedText<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// A passport number: 5 to 20 Latin letters and digits, kept upper case.
/// Personal data: `Debug` never prints it, and storage keeps it encrypted.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PassportNumber(String);

impl PassportNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if !(5..=20).contains(&s.len()) {
            return Err(InvalidValue::new(
                "invalid_passport_number_length",
                "a passport number has 5 to 20 characters",
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(InvalidValue::new(
                "invalid_passport_number",
                "a passport number has only Latin letters and digits",
            ));
        }
        Ok(Self(s))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PassportNumber {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PassportNumber> for String {
    fn from(p: PassportNumber) -> String {
        p.0
    }
}

impl fmt::Debug for PassportNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PassportNumber(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_checks_length() {
        type T = BoundedText<1, 5>;
        assert_eq!(T::parse("  abc ").unwrap().as_str(), "abc");
        assert_eq!(T::parse("   ").unwrap_err().code, "too_short");
        assert_eq!(T::parse("abcdef").unwrap_err().code, "too_long");
        assert_eq!(T::parse("a\u{0}b").unwrap_err().code, "control_character");
        // length counts characters, not bytes
        assert!(T::parse("工程师").is_ok());
    }

    #[test]
    fn passport_number_is_upper_case_and_never_printed() {
        let p = PassportNumber::parse(" e1234567 ").unwrap();
        assert_eq!(p.expose(), "E1234567");
        assert_eq!(format!("{p:?}"), "PassportNumber(***)");
        assert_eq!(
            PassportNumber::parse("E12").unwrap_err().code,
            "invalid_passport_number_length"
        );
        assert_eq!(
            PassportNumber::parse("E1234-567").unwrap_err().code,
            "invalid_passport_number"
        );
    }
}
