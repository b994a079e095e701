//! The social security number (SSN) of a foreign holder.
//!
//! *(design)* 18 characters: the six-digit GB/T 2260 code of the issuing
//! agency's region, the marker `9` (a citizen ID has a birth year there, so the
//! two can never be confused), ten random digits, and an ISO 7064 MOD 11-2 check
//! character. Never derived from the passport or permit number; one per person
//! for life. Printing it (Debug) shows only a masked form.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::InvalidValue;
use crate::ids::{RegionCode, id_check_character};

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ssn(String);

impl Ssn {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if s.len() != 18 {
            return Err(InvalidValue::new(
                "invalid_ssn_length",
                "a social security number has 18 characters",
            ));
        }
        if !s[..17].bytes().all(|b| b.is_ascii_digit()) || s.as_bytes()[6] != b'9' {
            return Err(InvalidValue::new(
                "invalid_ssn",
                "a foreigner's social security number is 17 digits (the 7th is 9) and a check character",
            ));
        }
        if id_check_character(&s[..17]) != s.chars().nth(17) {
            return Err(InvalidValue::new(
                "invalid_ssn_check",
                "the check character of the social security number is wrong",
            ));
        }
        Ok(Self(s))
    }

    /// A new number for the agency of `region`; `random` comes from the caller
    /// so the domain stays pure. Uniqueness is the store's (a unique index).
    pub fn assign(region: &RegionCode, random: u64) -> Self {
        let first17 = format!("{}9{:010}", region.as_str(), random % 10_000_000_000);
        let check = id_check_character(&first17).expect("17 digits");
        Self(format!("{first17}{check}"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What people without the right to the number see: region and the last
    /// four characters.
    pub fn masked(&self) -> String {
        mask(&self.0, 4, 4)
    }
}

/// Keep `head` leading and `tail` trailing characters, star the rest.
pub fn mask(s: &str, head: usize, tail: usize) -> String {
    let n = s.chars().count();
    if n <= head + tail {
        return "*".repeat(n);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { c } else { '*' })
        .collect()
}

impl TryFrom<String> for Ssn {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Ssn> for String {
    fn from(s: Ssn) -> String {
        s.0
    }
}

impl fmt::Debug for Ssn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssn({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn region() -> RegionCode {
        RegionCode::parse("440100").unwrap()
    }

    #[test]
    fn assigned_numbers_parse_and_mask() {
        let s = Ssn::assign(&region(), 1234567890);
        assert_eq!(&s.expose()[..7], "4401009");
        assert_eq!(Ssn::parse(s.expose()).unwrap(), s);
        assert_eq!(s.masked().len(), 18);
        assert!(s.masked().starts_with("4401") && s.masked().contains('*'));
        assert!(!format!("{s:?}").contains(s.expose()));
    }

    #[test]
    fn bad_numbers_name_what_is_wrong() {
        assert_eq!(Ssn::parse("123").unwrap_err().code, "invalid_ssn_length");
        // A citizen ID has a birth year where the marker goes.
        assert_eq!(
            Ssn::parse("11010519491231002X").unwrap_err().code,
            "invalid_ssn"
        );
        let good = Ssn::assign(&region(), 42).expose().to_owned();
        let last = if good.ends_with('0') { '1' } else { '0' };
        let bad = format!("{}{last}", &good[..17]);
        assert_eq!(Ssn::parse(&bad).unwrap_err().code, "invalid_ssn_check");
    }

    proptest! {
        #[test]
        fn every_assigned_number_parses(r in any::<u64>()) {
            let s = Ssn::assign(&region(), r);
            prop_assert_eq!(Ssn::parse(s.expose()).unwrap(), s);
        }

        #[test]
        fn one_changed_digit_is_caught(r in any::<u64>(), pos in 7usize..17, d in 1u8..10) {
            let s = Ssn::assign(&region(), r).expose().to_owned();
            let mut b = s.into_bytes();
            b[pos] = b'0' + (b[pos] - b'0' + d) % 10;
            prop_assert!(Ssn::parse(std::str::from_utf8(&b).unwrap()).is_err());
        }
    }
}
