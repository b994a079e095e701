//! Properties over generated inputs: the sum, the ceiling, monotonicity
//! in salary, education and experience, and no panic on any input.

use proptest::prelude::*;

use super::*;
use crate::permits::scoring::table::PointsTable;

fn version() -> impl Strategy<Value = PointsTableVersion> {
    prop_oneof![
        Just(PointsTableVersion::Interim),
        Just(PointsTableVersion::Trial2017)
    ]
}

fn education() -> impl Strategy<Value = Education> {
    prop_oneof![
        Just(Education::None),
        Just(Education::Bachelor),
        Just(Education::Master),
        Just(Education::Doctorate),
    ]
}

fn chinese() -> impl Strategy<Value = ChineseLanguage> {
    use ChineseLanguage::*;
    let all = [
        None,
        Hsk1,
        Hsk2,
        Hsk3,
        Hsk4,
        Hsk5OrAbove,
        DegreeTaughtInChinese,
        FormerChineseNational,
    ];
    proptest::sample::select(all.to_vec())
}

prop_compose! {
    /// Any input, valid or not: numbers range over their whole type, with
    /// a bias towards the table's interesting region.
    fn any_input()(
        (salary, average) in (prop_oneof![0..1_000_000u64, any::<u64>()], any::<u64>()),
        (education, experience) in (education(), prop_oneof![0..30u32, any::<u32>()]),
        (months, chinese) in (prop_oneof![0..=13u32, any::<u32>()], chinese()),
        (age, bonus) in (prop_oneof![0..=131u32, any::<u32>()], prop_oneof![0..=11u32, any::<u32>()]),
        flags in any::<[bool; 6]>(),
    ) -> ScoringInput {
        ScoringInput {
            annual_salary_cny: salary,
            local_average_annual_wage_cny: average,
            education,
            related_experience_years: experience,
            months_per_year_in_china: months,
            chinese_language: chinese,
            designated_work_location: flags[0],
            age_years: age,
            top_foreign_university: flags[1],
            fortune_global_500_experience: flags[2],
            patents: flags[3],
            five_consecutive_years_in_china: flags[4],
            provincial_bonus: bonus,
            recognised_talent: flags[5],
        }
    }
}

prop_compose! {
    /// A valid input: every bound respected.
    fn valid_input()(
        input in any_input(),
        average in 1..=u64::MAX,
        months in 0..=12u32,
        age in 0..=130u32,
        bonus in 0..=10u32,
    ) -> ScoringInput {
        ScoringInput {
            local_average_annual_wage_cny: average,
            months_per_year_in_china: months,
            age_years: age,
            provincial_bonus: bonus,
            ..input
        }
    }
}

/// Total and class rank, for comparing two inputs.
fn standing(input: &ScoringInput, version: PointsTableVersion) -> (u32, u8) {
    let classification = classify(input, version).expect("valid input");
    (classification.score.total, class_rank(classification.class))
}

fn assert_not_lower(low: (u32, u8), high: (u32, u8)) -> Result<(), TestCaseError> {
    prop_assert!(high.0 >= low.0, "total fell from {} to {}", low.0, high.0);
    prop_assert!(
        high.1 >= low.1,
        "class fell from rank {} to {}",
        low.1,
        high.1
    );
    Ok(())
}

proptest! {
    #[test]
    fn total_is_the_sum_of_the_items(input in valid_input(), version in version()) {
        let score = score(&input, version).unwrap();
        prop_assert_eq!(score.total, score.items.iter().map(|line| line.points).sum::<u32>());
        prop_assert_eq!(score.version, version);
    }

    #[test]
    fn total_never_exceeds_the_tables_maximum(input in valid_input(), version in version()) {
        let max = PointsTable::for_version(version).max_total();
        prop_assert!(score(&input, version).unwrap().total <= max);
    }

    #[test]
    fn more_salary_never_lowers_total_or_class(
        input in valid_input(), version in version(), a in any::<u64>(), b in any::<u64>(),
    ) {
        let (low, high) = (a.min(b), a.max(b));
        let at = |salary| ScoringInput { annual_salary_cny: salary, ..input.clone() };
        assert_not_lower(standing(&at(low), version), standing(&at(high), version))?;
    }

    #[test]
    fn more_education_never_lowers_total_or_class(
        input in valid_input(), version in version(), a in education(), b in education(),
    ) {
        let (low, high) = (a.min(b), a.max(b));
        let at = |education| ScoringInput { education, ..input.clone() };
        assert_not_lower(standing(&at(low), version), standing(&at(high), version))?;
    }

    #[test]
    fn more_experience_never_lowers_total_or_class(
        input in valid_input(), version in version(), a in any::<u32>(), b in 0..40u32,
    ) {
        let (low, high) = (a.min(b), a.max(b));
        let at = |years| ScoringInput { related_experience_years: years, ..input.clone() };
        assert_not_lower(standing(&at(low), version), standing(&at(high), version))?;
    }

    #[test]
    fn classify_never_panics(input in any_input(), version in version()) {
        let _ = classify(&input, version);
    }

    #[test]
    fn valid_input_always_classifies(input in valid_input(), version in version()) {
        prop_assert!(classify(&input, version).is_ok());
    }
}
