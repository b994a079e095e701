//! GB/T 2260 administrative division codes, checked against the shipped list
//! (`data/regions.tsv`; source, date and choices in `data/README.md`).

use std::sync::OnceLock;

use super::table::Table;
use crate::InvalidValue;

fn regions() -> &'static Table {
    static REGIONS: OnceLock<Table> = OnceLock::new();
    REGIONS.get_or_init(|| Table::parse(include_str!("../../data/regions.tsv")))
}

/// A six-digit administrative division code that exists in the shipped list,
/// e.g. `330106` (西湖区, Hangzhou).
///
/// Digits 1-2 name the province, 1-4 the city (prefecture), 1-6 the county.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegionCode {
    code: &'static str,
    name: &'static str,
}

text_identifier!(RegionCode);

/// Which level of the hierarchy a code names, read from its trailing zeros.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionLevel {
    /// `xx0000`: province, autonomous region or municipality.
    Province,
    /// `xxxx00`: prefecture-level city, or a statistical grouping such as
    /// `110100` (市辖区) that the source list carries.
    City,
    /// Anything else: district, county or county-level city.
    County,
}

impl RegionCode {
    /// Parses a code: six ASCII digits, listed in the shipped table.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let code = input.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(
                "invalid_region_code_format",
                format!("a region code is six digits (GB/T 2260), got {code:?}"),
            ));
        }
        let (code, name) = regions().get(code).ok_or_else(|| {
            InvalidValue::new(
                "unknown_region_code",
                format!("{code} is not in the GB/T 2260 list of administrative divisions"),
            )
        })?;
        Ok(Self { code, name })
    }

    /// Every listed division, by code (for the province → city → district
    /// picker).
    pub fn all() -> impl Iterator<Item = RegionCode> {
        regions()
            .rows()
            .iter()
            .map(|&(code, name)| RegionCode { code, name })
    }

    pub fn as_str(&self) -> &'static str {
        self.code
    }

    /// The Chinese name as listed, e.g. "西湖区". Names are not unique across
    /// the country (many cities have a 城关区), so show them with the code.
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn level(&self) -> RegionLevel {
        if self.code.ends_with("0000") {
            RegionLevel::Province
        } else if self.code.ends_with("00") {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    /// The two-digit province prefix, e.g. "33" for every code in Zhejiang.
    /// (A prefix rather than "330000" so no allocation or lookup is needed;
    /// the province's own code is this followed by "0000".)
    pub fn province(&self) -> &'static str {
        &self.code[..2]
    }

    /// The four-digit city prefix, e.g. "3301" for every code in Hangzhou.
    /// For a province code it is the province prefix followed by "00".
    pub fn city_prefix(&self) -> &'static str {
        &self.code[..4]
    }

    pub fn same_province(&self, other: &RegionCode) -> bool {
        self.province() == other.province()
    }

    /// Whether `other` lies inside this region (every region contains itself):
    /// a province contains its whole prefix, a city its four-digit prefix, a
    /// county only itself.
    pub fn contains(&self, other: &RegionCode) -> bool {
        match self.level() {
            RegionLevel::Province => self.same_province(other),
            RegionLevel::City => self.city_prefix() == other.city_prefix(),
            RegionLevel::County => self == other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn region(code: &str) -> RegionCode {
        RegionCode::parse(code).unwrap()
    }

    #[test]
    fn shipped_table_has_the_expected_shape() {
        let rows = regions().rows();
        assert_eq!(rows.len(), 3224);
        assert!(
            rows.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no duplicates"
        );
        assert!(
            rows.iter()
                .all(|(code, name)| code.len() == 6 && !name.is_empty())
        );
        // Every code's province exists, so `province()` always names a real one.
        for (code, _) in rows {
            assert!(
                regions().get(&format!("{}0000", &code[..2])).is_some(),
                "{code}"
            );
        }
    }

    #[test]
    fn known_codes_parse_with_their_names() {
        assert_eq!(region("110000").name(), "北京市");
        assert_eq!(region(" 330106 ").name(), "西湖区");
        assert_eq!(region("330113").name(), "临平区");
        assert_eq!(region("441900").name(), "东莞市");
        assert_eq!(region("110100").level(), RegionLevel::City);
    }

    #[test]
    fn levels_and_prefixes() {
        let xihu = region("330106");
        assert_eq!(xihu.level(), RegionLevel::County);
        assert_eq!(xihu.province(), "33");
        assert_eq!(xihu.city_prefix(), "3301");
        assert_eq!(region("330000").level(), RegionLevel::Province);
        assert_eq!(region("330100").level(), RegionLevel::City);
    }

    #[test]
    fn containment_follows_the_hierarchy() {
        let (zhejiang, hangzhou, xihu) = (region("330000"), region("330100"), region("330106"));
        let ningbo_haishu = region("330203");
        assert!(zhejiang.contains(&hangzhou) && zhejiang.contains(&xihu));
        assert!(hangzhou.contains(&xihu) && !hangzhou.contains(&ningbo_haishu));
        assert!(xihu.contains(&xihu) && !xihu.contains(&hangzhou));
        assert!(!region("110000").contains(&xihu));
        assert!(xihu.same_province(&ningbo_haishu) && !xihu.same_province(&region("110101")));
    }

    #[test]
    fn bad_codes_are_rejected_with_their_code() {
        for bad in ["", "33010", "3301066", "33O106", "３３０１０６"] {
            assert_eq!(
                RegionCode::parse(bad).unwrap_err().code,
                "invalid_region_code_format"
            );
        }
        // Well-formed but not listed: a made-up county, an abolished district,
        // and a statistics-only development zone dropped from the data.
        for unknown in ["330199", "330103", "320576", "000000"] {
            assert_eq!(
                RegionCode::parse(unknown).unwrap_err().code,
                "unknown_region_code"
            );
        }
    }

    #[test]
    fn serde_goes_through_parse() {
        use serde::de::{IntoDeserializer, value::Error};
        let ok: Result<RegionCode, Error> = RegionCode::deserialize("330106".into_deserializer());
        assert_eq!(ok.unwrap(), region("330106"));
        let bad: Result<RegionCode, Error> = RegionCode::deserialize("330199".into_deserializer());
        assert!(bad.unwrap_err().to_string().contains("unknown_region_code"));
        assert_eq!(String::from(region("330106")), "330106");
    }
}
