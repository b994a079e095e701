//! Chinese resident identity card number (居民身份证号码, GB 11643).
//!
//! A foreigner record may carry one only to tell a former or dual national
//! apart; a Chinese national is not a foreigner and gets no work permit.

use std::fmt;

use chrono::NaiveDate;

use super::mod11_2::has_valid_check;
use crate::InvalidValue;

/// 18 characters: 6-digit region of first registration, birth date YYYYMMDD,
/// 3-digit sequence, MOD 11-2 check (digit or `X`, stored upper case).
///
/// The region digits are not looked up: codes of abolished divisions stay in
/// old IDs for life. `Debug` masks all but the region, because an identity
/// number is sensitive personal information and must not reach the logs.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CitizenId {
    value: String,
    birth_date: NaiveDate,
}

text_identifier!(CitizenId);

impl CitizenId {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let id = input.trim().to_ascii_uppercase();
        if id.chars().count() != 18 {
            return Err(error(
                "invalid_citizen_id_length",
                "a resident ID number has 18 characters",
            ));
        }
        let well_formed = id
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 17 && b == b'X'));
        if !well_formed {
            return Err(error(
                "invalid_citizen_id_character",
                "a resident ID number is 17 digits and a digit or X",
            ));
        }
        if !has_valid_check(&id) {
            return Err(error(
                "invalid_citizen_id_check_character",
                "the last character does not match the ID number",
            ));
        }
        // Province codes start with 1-8; a leading 9 is the 2023 Foreign
        // Permanent Resident ID, which is a `PermanentResidentId`.
        if !(b'1'..=b'8').contains(&id.as_bytes()[0]) {
            return Err(error(
                "invalid_citizen_id_region",
                "a resident ID number starts with a province code (1-8)",
            ));
        }
        let birth_date = embedded_date(&id[6..14]).ok_or_else(|| {
            error(
                "invalid_citizen_id_birth_date",
                "digits 7-14 are not a real date (YYYYMMDD)",
            )
        })?;
        Ok(Self {
            value: id,
            birth_date,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The birth date written into the number.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
}

/// The messages never repeat the number: it is sensitive personal information.
fn error(code: &'static str, message: &str) -> InvalidValue {
    InvalidValue::new(code, message)
}

/// A YYYYMMDD string of ASCII digits as a calendar date, if it is one.
fn embedded_date(yyyymmdd: &str) -> Option<NaiveDate> {
    let year = yyyymmdd.get(..4)?.parse().ok()?;
    let month = yyyymmdd.get(4..6)?.parse().ok()?;
    let day = yyyymmdd.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

impl fmt::Debug for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CitizenId(\"{}************\")", &self.value[..6])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::id_check_character;
    use proptest::prelude::*;
    use serde::Deserialize;

    fn code(input: &str) -> &'static str {
        CitizenId::parse(input).unwrap_err().code
    }

    #[test]
    fn known_good_ids_pass() {
        let id = CitizenId::parse(" 11010519491231002x ").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert!(CitizenId::parse("440524188001010014").is_ok());
        // 29 February of a leap year is a real date.
        let leap = format!(
            "33010620000229123{}",
            id_check_character("33010620000229123").unwrap()
        );
        assert!(CitizenId::parse(&leap).is_ok());
    }

    #[test]
    fn each_error_has_its_code() {
        assert_eq!(code("11010519491231002"), "invalid_citizen_id_length");
        assert_eq!(code("1101051949123100201"), "invalid_citizen_id_length");
        assert_eq!(code("1101051949123100X2"), "invalid_citizen_id_character");
        assert_eq!(code("11010519491231002Ｘ"), "invalid_citizen_id_character");
        assert_eq!(
            code("110105194912310021"),
            "invalid_citizen_id_check_character"
        );
        let with_check =
            |first17: &str| format!("{first17}{}", id_check_character(first17).unwrap());
        assert_eq!(
            code(&with_check("91100015619900101")),
            "invalid_citizen_id_region"
        );
        assert_eq!(
            code(&with_check("01010519491231002")),
            "invalid_citizen_id_region"
        );
        assert_eq!(
            code(&with_check("33010619990229123")),
            "invalid_citizen_id_birth_date"
        );
        assert_eq!(
            code(&with_check("33010619851301123")),
            "invalid_citizen_id_birth_date"
        );
    }

    #[test]
    fn debug_does_not_show_the_number() {
        let id = CitizenId::parse("11010519491231002X").unwrap();
        assert_eq!(format!("{id:?}"), "CitizenId(\"110105************\")");
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn serde_goes_through_parse() {
        use serde::de::{IntoDeserializer, value::Error};
        let ok: Result<CitizenId, Error> =
            CitizenId::deserialize("11010519491231002x".into_deserializer());
        assert_eq!(ok.unwrap().as_str(), "11010519491231002X");
        let bad: Result<CitizenId, Error> =
            CitizenId::deserialize("110105194912310021".into_deserializer());
        assert!(bad.is_err());
    }

    /// Valid IDs: province 1-8, any birth date from 1900 to about 2036.
    fn valid_id() -> impl Strategy<Value = String> {
        (1u32..=8, 0u32..100_000, 0i64..50_000, 0u32..1000).prop_map(
            |(province, rest, days, sequence)| {
                let birth =
                    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Days::new(days as u64);
                let first17 = format!("{province}{rest:05}{}{sequence:03}", birth.format("%Y%m%d"));
                format!("{first17}{}", id_check_character(&first17).unwrap())
            },
        )
    }

    fn id_character() -> impl Strategy<Value = char> {
        proptest::sample::select("0123456789X".chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn valid_ids_round_trip(id in valid_id()) {
            let parsed = CitizenId::parse(&id).unwrap();
            prop_assert_eq!(parsed.as_str(), id.as_str());
            prop_assert_eq!(CitizenId::parse(parsed.as_str()).unwrap(), parsed);
        }

        #[test]
        fn any_single_substitution_is_detected(
            id in valid_id(),
            position in 0..18usize,
            replacement in id_character(),
        ) {
            let mut chars: Vec<char> = id.chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            prop_assert!(CitizenId::parse(&chars.into_iter().collect::<String>()).is_err());
        }

        #[test]
        fn random_input_never_panics(input in "\\PC{0,30}") {
            let _ = CitizenId::parse(&input);
        }
    }
}
