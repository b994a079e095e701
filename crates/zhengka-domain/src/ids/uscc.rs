//! Unified Social Credit Code (统一社会信用代码, GB 32100): the employer's
//! identifier.

use crate::InvalidValue;

/// The 31 characters a code may use: digits and capitals without I, O, Z, S, V.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weight of position i is 3^i mod 31. Every weight is non-zero modulo the
/// prime 31, which is why any single substitution changes the check character.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An 18-character code whose last character is the GB 32100 check character,
/// stored upper case. Only the alphabet and the check are verified; the
/// embedded registration authority, type and region are not.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Uscc(String);

text_identifier!(Uscc);

impl Uscc {
    /// Parses a code in any case, e.g. "91350100M000100Y43".
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim().to_ascii_uppercase();
        let values = values_of(&code, 18)?;
        let expected = check_character(&values[..17]);
        if code.as_bytes()[17] != expected {
            return Err(InvalidValue::new(
                "invalid_uscc_check_character",
                format!(
                    "{code} fails the GB 32100 check: the last character should be {}",
                    char::from(expected)
                ),
            ));
        }
        Ok(Self(code))
    }

    /// Builds the valid code that starts with these 17 characters, for demo
    /// data and tests.
    pub fn with_check_character(first17: &str) -> Result<Uscc, InvalidValue> {
        let mut code = first17.trim().to_ascii_uppercase();
        let values = values_of(&code, 17)?;
        code.push(char::from(check_character(&values)));
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The alphabet positions of an upper-case code of `len` characters.
fn values_of(code: &str, len: usize) -> Result<Vec<u32>, InvalidValue> {
    if code.chars().count() != len {
        return Err(InvalidValue::new(
            "invalid_uscc_length",
            format!(
                "expected {len} characters of a unified social credit code, got {}",
                code.chars().count()
            ),
        ));
    }
    code.chars().map(value_of).collect()
}

/// The position of `c` in the alphabet.
fn value_of(c: char) -> Result<u32, InvalidValue> {
    let position = ALPHABET.iter().position(|&a| char::from(a) == c);
    position.map(|p| p as u32).ok_or_else(|| {
        InvalidValue::new(
            "invalid_uscc_character",
            format!("{c:?} cannot appear in a unified social credit code (digits, capitals but I, O, Z, S, V)"),
        )
    })
}

/// GB 32100: check = alphabet[(31 - sum mod 31) mod 31].
fn check_character(values: &[u32]) -> u8 {
    let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    const VALID: &str = "91350100M000100Y43";

    #[test]
    fn known_good_codes_pass() {
        assert_eq!(Uscc::parse(VALID).unwrap().as_str(), VALID);
        assert_eq!(
            Uscc::parse(" 91350100m000100y43\n").unwrap().as_str(),
            VALID
        );
        assert_eq!(
            Uscc::with_check_character("91350100M000100Y4")
                .unwrap()
                .as_str(),
            VALID
        );
    }

    #[test]
    fn each_error_has_its_code() {
        let code = |s: &str| Uscc::parse(s).unwrap_err().code;
        assert_eq!(code("91350100M000100Y4"), "invalid_uscc_length");
        assert_eq!(code("91350100M000100Y433"), "invalid_uscc_length");
        assert_eq!(code(""), "invalid_uscc_length");
        assert_eq!(code("91350100I000100Y43"), "invalid_uscc_character");
        assert_eq!(code("91350100M000100Y4中"), "invalid_uscc_character");
        assert_eq!(code("91350100M000100Y44"), "invalid_uscc_check_character");
        assert_eq!(
            Uscc::with_check_character("9135").unwrap_err().code,
            "invalid_uscc_length"
        );
        assert_eq!(
            Uscc::with_check_character("91350100O000100Y4")
                .unwrap_err()
                .code,
            "invalid_uscc_character"
        );
    }

    #[test]
    fn serde_goes_through_parse() {
        use serde::de::{IntoDeserializer, value::Error};
        let ok: Result<Uscc, Error> = Uscc::deserialize("91350100m000100y43".into_deserializer());
        assert_eq!(ok.unwrap().as_str(), VALID);
        let bad: Result<Uscc, Error> = Uscc::deserialize("91350100M000100Y44".into_deserializer());
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("invalid_uscc_check_character")
        );
        assert_eq!(String::from(Uscc::parse(VALID).unwrap()), VALID);
    }

    fn alphabet_char() -> impl Strategy<Value = char> {
        proptest::sample::select(ALPHABET.map(char::from).to_vec())
    }

    proptest! {
        #[test]
        fn built_codes_round_trip(prefix in proptest::collection::vec(alphabet_char(), 17)) {
            let prefix: String = prefix.into_iter().collect();
            let built = Uscc::with_check_character(&prefix).unwrap();
            prop_assert_eq!(Uscc::parse(built.as_str()).unwrap(), built);
        }

        #[test]
        fn any_single_substitution_is_detected(
            prefix in proptest::collection::vec(alphabet_char(), 17),
            position in 0..18usize,
            replacement in alphabet_char(),
        ) {
            let prefix: String = prefix.into_iter().collect();
            let valid = Uscc::with_check_character(&prefix).unwrap();
            let mut chars: Vec<char> = valid.as_str().chars().collect();
            prop_assume!(chars[position] != replacement);
            chars[position] = replacement;
            let changed: String = chars.into_iter().collect();
            prop_assert!(Uscc::parse(&changed).is_err());
        }

        #[test]
        fn random_input_never_panics(input in "\\PC{0,40}") {
            let _ = Uscc::parse(&input);
            let _ = Uscc::with_check_character(&input);
        }
    }
}
