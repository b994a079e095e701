//! A foreigner's name as printed in the passport, the spelling the permit
//! keeps as reference. Matching (e-card registration by name + permit number)
//! is exact after the normalisation below.

use unicode_normalization::UnicodeNormalization;

use crate::InvalidValue;

const MAX_CHARS: usize = 100;

/// A normalised passport name: Unicode NFKC, upper case, typographic
/// apostrophes and hyphens folded to ASCII, whitespace runs collapsed to one
/// space, trimmed. What remains may hold only `A`-`Z`, space, `-` and `'`,
/// with at least one letter, at most 100 characters.
///
/// Choices: the MRZ filler `<` is rejected rather than read as a space, because
/// `SMITH<<JOHN` is the machine line, not the printed name, and guessing where
/// surname and given names split would make two spellings of one person.
/// Letters with diacritics (`MÜLLER`) are rejected, not stripped: the permit
/// uses the passport's Latin transliteration, which the applicant must type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PassportName(String);

text_identifier!(PassportName);

impl PassportName {
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let name = normalise(input);
        if name.is_empty() {
            return Err(InvalidValue::new(
                "empty_passport_name",
                "the passport name is empty",
            ));
        }
        if !name.chars().all(is_allowed) || !name.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(InvalidValue::new(
                "invalid_passport_name",
                "a passport name holds only Latin letters A-Z, spaces, hyphens and apostrophes, as in the passport's Latin spelling",
            ));
        }
        if name.len() > MAX_CHARS {
            return Err(InvalidValue::new(
                "passport_name_too_long",
                format!("a passport name has at most {MAX_CHARS} characters"),
            ));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn normalise(input: &str) -> String {
    let folded: String = input
        .nfkc()
        .flat_map(char::to_uppercase)
        .map(fold_punctuation)
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Typographic apostrophes and hyphens come in through copy and paste from
/// documents; they mean the ASCII ones, so `O’BRIEN` equals `O'BRIEN`.
fn fold_punctuation(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
        '\u{2010}' | '\u{2011}' => '-',
        other => other,
    }
}

fn is_allowed(c: char) -> bool {
    c.is_ascii_uppercase() || matches!(c, ' ' | '-' | '\'')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    fn name(input: &str) -> String {
        PassportName::parse(input).unwrap().as_str().to_owned()
    }

    fn code(input: &str) -> &'static str {
        PassportName::parse(input).unwrap_err().code
    }

    #[test]
    fn normalises_case_space_and_width() {
        assert_eq!(name("  john   PAUL\tsmith\n"), "JOHN PAUL SMITH");
        assert_eq!(name("ＳＭＩＴＨ\u{3000}JOHN"), "SMITH JOHN");
        assert_eq!(name("o’brien"), "O'BRIEN");
        assert_eq!(name("jean\u{2011}luc"), "JEAN-LUC");
        assert_eq!(name("straße"), "STRASSE");
        assert_eq!(
            PassportName::parse("anna maria").unwrap(),
            PassportName::parse(" ANNA  MARIA ").unwrap()
        );
    }

    #[test]
    fn each_error_has_its_code() {
        assert_eq!(code(""), "empty_passport_name");
        assert_eq!(code(" \t\u{3000}"), "empty_passport_name");
        for bad in [
            "SMITH<<JOHN",
            "MÜLLER",
            "JOHN 2",
            "王小明",
            "ИВАНОВ",
            "-",
            "' -'",
            "A.B",
        ] {
            assert_eq!(code(bad), "invalid_passport_name", "{bad}");
        }
        assert!(PassportName::parse(&"A".repeat(100)).is_ok());
        assert_eq!(code(&"A".repeat(101)), "passport_name_too_long");
    }

    #[test]
    fn serde_goes_through_parse() {
        use serde::de::{IntoDeserializer, value::Error};
        let ok: Result<PassportName, Error> =
            PassportName::deserialize("  ada  lovelace".into_deserializer());
        assert_eq!(ok.unwrap().as_str(), "ADA LOVELACE");
        let bad: Result<PassportName, Error> =
            PassportName::deserialize("ADA 1".into_deserializer());
        assert!(bad.is_err());
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(input in "[a-zA-Z '\\-\u{2019}\t\u{3000}]{1,60}") {
            if let Ok(parsed) = PassportName::parse(&input) {
                prop_assert_eq!(PassportName::parse(parsed.as_str()).unwrap(), parsed);
            }
        }

        #[test]
        fn case_and_spacing_do_not_matter(
            words in proptest::collection::vec("[a-zA-Z]{1,10}", 1..5),
        ) {
            let tight = words.join(" ");
            let loose = format!("  {}  ", words.join(" \t ")).to_lowercase();
            let (tight, loose) = (PassportName::parse(&tight), PassportName::parse(&loose));
            prop_assert_eq!(tight.unwrap(), loose.unwrap());
        }

        #[test]
        fn random_input_never_panics(input in "\\PC{0,120}") {
            if let Ok(parsed) = PassportName::parse(&input) {
                prop_assert_eq!(PassportName::parse(parsed.as_str()).unwrap(), parsed);
            }
        }
    }
}
