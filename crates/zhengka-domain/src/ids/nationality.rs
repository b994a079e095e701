//! Nationality as an ISO 3166-1 alpha-3 code, checked against the shipped
//! list (`data/nationalities.tsv`; source in `data/README.md`).

use std::sync::OnceLock;

use super::table::Table;
use crate::InvalidValue;

fn countries() -> &'static Table {
    static COUNTRIES: OnceLock<Table> = OnceLock::new();
    COUNTRIES.get_or_init(|| Table::parse(include_str!("../../data/nationalities.tsv")))
}

/// The same codes with their Chinese short names (`data/nationalities_zh.tsv`).
fn chinese_names() -> &'static Table {
    static NAMES: OnceLock<Table> = OnceLock::new();
    NAMES.get_or_init(|| Table::parse(include_str!("../../data/nationalities_zh.tsv")))
}

/// An ISO 3166-1 alpha-3 code such as `DEU`, upper case.
///
/// Passport MRZ codes that are not ISO codes (`D`, `GBD`, `XXA`...) are rejected:
/// the permit records the ISO code.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nationality {
    code: &'static str,
    name: &'static str,
}

text_identifier!(Nationality);

impl Nationality {
    /// Parses three ASCII letters (any case) that are a listed ISO code.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim().to_ascii_uppercase();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(InvalidValue::new(
                "invalid_nationality_format",
                format!("a nationality is a three-letter ISO 3166-1 code, got {code:?}"),
            ));
        }
        let (code, name) = countries().get(&code).ok_or_else(|| {
            InvalidValue::new(
                "unknown_nationality_code",
                format!("{code} is not an ISO 3166-1 alpha-3 country code"),
            )
        })?;
        Ok(Self { code, name })
    }

    pub fn as_str(&self) -> &'static str {
        self.code
    }

    /// The English short name, e.g. "Germany".
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The Chinese short name, e.g. "德国" (the English one if none is listed).
    pub fn name_zh(&self) -> &'static str {
        chinese_names()
            .get(self.code)
            .map_or(self.name, |(_, name)| name)
    }

    /// Every listed nationality, by code (for a picker).
    pub fn all() -> impl Iterator<Item = Nationality> {
        countries()
            .rows()
            .iter()
            .map(|&(code, name)| Nationality { code, name })
    }

    /// A Chinese national is not a foreigner: no work permit applies.
    /// Hong Kong (HKG), Macao (MAC) and Taiwan (TWN) residents are not CHN here.
    pub fn is_china(&self) -> bool {
        self.code == "CHN"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn every_nationality_has_a_chinese_name() {
        let zh = chinese_names().rows();
        assert_eq!(zh.len(), countries().rows().len());
        assert!(zh.iter().zip(countries().rows()).all(|(a, b)| a.0 == b.0));
        assert_eq!(Nationality::parse("DEU").unwrap().name_zh(), "德国");
        assert_eq!(Nationality::all().count(), 249);
    }

    #[test]
    fn shipped_list_is_the_full_iso_list() {
        let rows = countries().rows();
        assert_eq!(rows.len(), 249);
        assert!(
            rows.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no duplicates"
        );
        assert!(
            rows.iter()
                .all(|(code, name)| code.len() == 3 && !name.is_empty())
        );
    }

    #[test]
    fn known_codes_parse_in_any_case() {
        let germany = Nationality::parse(" deu ").unwrap();
        assert_eq!(germany.as_str(), "DEU");
        assert_eq!(germany.name(), "Germany");
        assert_eq!(germany, Nationality::parse("DEU").unwrap());
        assert!(Nationality::parse("ZWE").is_ok() && Nationality::parse("ABW").is_ok());
    }

    #[test]
    fn only_chn_is_china() {
        assert!(Nationality::parse("CHN").unwrap().is_china());
        for other in ["HKG", "MAC", "TWN", "USA"] {
            assert!(!Nationality::parse(other).unwrap().is_china());
        }
    }

    #[test]
    fn bad_codes_are_rejected_with_their_code() {
        for bad in ["", "DE", "DEUT", "D1U", "ÄÖÜ"] {
            assert_eq!(
                Nationality::parse(bad).unwrap_err().code,
                "invalid_nationality_format"
            );
        }
        for unknown in ["XKK", "XXA", "GBD", "UNO", "AAA"] {
            assert_eq!(
                Nationality::parse(unknown).unwrap_err().code,
                "unknown_nationality_code"
            );
        }
    }

    #[test]
    fn serde_goes_through_parse() {
        use serde::de::{IntoDeserializer, value::Error};
        let ok: Result<Nationality, Error> = Nationality::deserialize("fra".into_deserializer());
        assert_eq!(ok.unwrap().as_str(), "FRA");
        let bad: Result<Nationality, Error> = Nationality::deserialize("XKK".into_deserializer());
        assert!(bad.is_err());
        assert_eq!(String::from(Nationality::parse("FRA").unwrap()), "FRA");
    }
}
