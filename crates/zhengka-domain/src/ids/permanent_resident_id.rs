//! Foreign Permanent Resident ID Card number (外国人永久居留身份证号码).
//!
//! Cards issued since December 2023 carry an 18-character number shaped like a
//! resident ID; older cards (issued from 2004) carry 3 letters and 12 digits,
//! and both stay valid.

use std::fmt;

use super::mod11_2::has_valid_check;
use crate::InvalidValue;

/// Which generation of card the number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PermanentResidentIdFormat {
    /// 18 characters: `9`, 16 digits, MOD 11-2 check (digit or `X`).
    Since2023,
    /// 15 characters: 3 letters (nationality) and 12 digits. Its last digit is
    /// a check digit whose scheme is not public, so it is not verified.
    Since2004,
}

/// A permanent resident ID in either format, stored upper case. `Debug` masks
/// the number: it is sensitive personal information.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PermanentResidentId {
    value: String,
    format: PermanentResidentIdFormat,
}

text_identifier!(PermanentResidentId);

impl PermanentResidentId {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let id = input.trim().to_ascii_uppercase();
        let format = match id.chars().count() {
            18 => check_2023(&id)?,
            15 => check_2004(&id)?,
            _ => {
                return Err(InvalidValue::new(
                    "invalid_permanent_resident_id_length",
                    "a permanent resident ID has 18 characters (since 2023) or 15 (before)",
                ));
            }
        };
        Ok(Self { value: id, format })
    }

    pub fn as_str(&self) -> &str {
        &self.value
    }

    pub fn format(&self) -> PermanentResidentIdFormat {
        self.format
    }
}

fn format_error(message: &str) -> InvalidValue {
    InvalidValue::new("invalid_permanent_resident_id_format", message)
}

fn check_2023(id: &str) -> Result<PermanentResidentIdFormat, InvalidValue> {
    let well_formed = id.starts_with('9')
        && id
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 17 && b == b'X'));
    if !well_formed {
        return Err(format_error(
            "an 18-character permanent resident ID is 9, 16 digits and a digit or X",
        ));
    }
    if !has_valid_check(id) {
        return Err(InvalidValue::new(
            "invalid_permanent_resident_id_check_character",
            "the last character does not match the ID number",
        ));
    }
    Ok(PermanentResidentIdFormat::Since2023)
}

fn check_2004(id: &str) -> Result<PermanentResidentIdFormat, InvalidValue> {
    let well_formed = id.bytes().enumerate().all(|(i, b)| {
        if i < 3 {
            b.is_ascii_uppercase()
        } else {
            b.is_ascii_digit()
        }
    });
    if id.len() != 15 || !well_formed {
        return Err(format_error(
            "a 15-character permanent resident ID is 3 letters and 12 digits",
        ));
    }
    Ok(PermanentResidentIdFormat::Since2004)
}

impl fmt::Debug for PermanentResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let masked = "*".repeat(self.value.len() - 3);
        write!(f, "PermanentResidentId(\"{}{masked}\")", &self.value[..3])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::id_check_character;
    use proptest::prelude::*;

    fn code(input: &str) -> &'static str {
        PermanentResidentId::parse(input).unwrap_err().code
    }

    fn new_format(first17: &str) -> String {
        format!("{first17}{}", id_check_character(first17).unwrap())
    }

    #[test]
    fn both_formats_pass() {
        let new = PermanentResidentId::parse(&new_format("91100084019850615")).unwrap();
        assert_eq!(new.format(), PermanentResidentIdFormat::Since2023);
        let old = PermanentResidentId::parse(" usa110619800101 ").unwrap();
        assert_eq!(old.as_str(), "USA110619800101");
        assert_eq!(old.format(), PermanentResidentIdFormat::Since2004);
        assert_eq!(
            PermanentResidentId::parse("911000840198506151")
                .unwrap()
                .as_str(),
            "911000840198506151"
        );
    }

    #[test]
    fn each_error_has_its_code() {
        assert_eq!(code(""), "invalid_permanent_resident_id_length");
        assert_eq!(
            code("USA11061980010"),
            "invalid_permanent_resident_id_length"
        );
        assert_eq!(
            code(&new_format("11010519491231002")),
            "invalid_permanent_resident_id_format"
        );
        assert_eq!(
            code("9110008401985061X1"),
            "invalid_permanent_resident_id_format"
        );
        assert_eq!(
            code("US1110619800101"),
            "invalid_permanent_resident_id_format"
        );
        assert_eq!(
            code("USA11061980010Ä"),
            "invalid_permanent_resident_id_format"
        );
        assert_eq!(
            code("911000840198506152"),
            "invalid_permanent_resident_id_check_character"
        );
    }

    #[test]
    fn debug_does_not_show_the_number() {
        let old = PermanentResidentId::parse("USA110619800101").unwrap();
        assert_eq!(
            format!("{old:?}"),
            "PermanentResidentId(\"USA************\")"
        );
    }

    fn valid_2023() -> impl Strategy<Value = String> {
        "9[0-9]{16}".prop_map(|first17| new_format(&first17))
    }

    fn id_character() -> impl Strategy<Value = char> {
        proptest::sample::select("0123456789X".chars().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn valid_ids_round_trip(id in prop_oneof![valid_2023(), "[A-Z]{3}[0-9]{12}"]) {
            let parsed = PermanentResidentId::parse(&id).unwrap();
            prop_assert_eq!(PermanentResidentId::parse(parsed.as_str()).unwrap(), parsed);
        }

        #[test]
        fn any_single_substitution_in_the_new_format_is_detected(
            id in valid_2023(),
            position in 0..18usize,
            replacement in id_character(),
        ) {
            let mut chars: Vec<char> = id.chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(PermanentResidentId::parse(&changed).is_err());
        }

        #[test]
        fn random_input_never_panics(input in "\\PC{0,30}") {
            let _ = PermanentResidentId::parse(&input);
        }
    }
}
