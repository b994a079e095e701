//! The wire names the HTTP layer relies on. Serde uses one name for both
//! directions, so reading each variant from its name pins both.

use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error, StrDeserializer};

use super::*;

fn from_name<'de, T: Deserialize<'de>>(name: &'de str) -> T {
    let deserializer: StrDeserializer<'de, Error> = name.into_deserializer();
    T::deserialize(deserializer).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn versions_are_trial_2017_and_interim() {
    assert_eq!(
        from_name::<PointsTableVersion>("trial_2017"),
        PointsTableVersion::Trial2017
    );
    assert_eq!(
        from_name::<PointsTableVersion>("interim"),
        PointsTableVersion::Interim
    );
}

#[test]
fn classes_are_upper_case_letters() {
    assert_eq!(from_name::<WorkerClass>("A"), WorkerClass::A);
    assert_eq!(from_name::<WorkerClass>("B"), WorkerClass::B);
    assert_eq!(from_name::<WorkerClass>("C"), WorkerClass::C);
}

#[test]
fn other_enums_are_snake_case() {
    assert_eq!(from_name::<Education>("doctorate"), Education::Doctorate);
    assert_eq!(
        from_name::<ChineseLanguage>("hsk5_or_above"),
        ChineseLanguage::Hsk5OrAbove
    );
    assert_eq!(
        from_name::<ChineseLanguage>("former_chinese_national"),
        ChineseLanguage::FormerChineseNational
    );
    assert_eq!(
        from_name::<ScoreItem>("fortune_global_500"),
        ScoreItem::FortuneGlobal500
    );
    assert_eq!(
        from_name::<ScoreItem>("five_years_in_china"),
        ScoreItem::FiveYearsInChina
    );
    assert_eq!(
        from_name::<ClassBasis>("degree_and_experience"),
        ClassBasis::DegreeAndExperience
    );
}
