//! Each bound on the input: the last good value passes, the first bad fails.

use super::*;

fn error_code(edit: impl Fn(&mut ScoringInput)) -> Option<&'static str> {
    let mut input = zero_input();
    edit(&mut input);
    let scored = score(&input, PointsTableVersion::Interim)
        .err()
        .map(|e| e.code);
    let classified = classify(&input, PointsTableVersion::Interim)
        .err()
        .map(|e| e.code);
    assert_eq!(scored, classified, "score and classify must agree");
    scored
}

#[test]
fn zero_average_wage_is_invalid() {
    assert_eq!(
        error_code(|i| i.local_average_annual_wage_cny = 0),
        Some("invalid_average_wage")
    );
    assert_eq!(error_code(|i| i.local_average_annual_wage_cny = 1), None);
}

#[test]
fn more_than_12_months_in_china_is_invalid() {
    assert_eq!(
        error_code(|i| i.months_per_year_in_china = 13),
        Some("invalid_months_in_china")
    );
    assert_eq!(error_code(|i| i.months_per_year_in_china = 12), None);
}

#[test]
fn age_over_130_is_invalid() {
    assert_eq!(error_code(|i| i.age_years = 131), Some("invalid_age"));
    assert_eq!(error_code(|i| i.age_years = 130), None);
}

#[test]
fn provincial_bonus_over_10_is_invalid() {
    assert_eq!(
        error_code(|i| i.provincial_bonus = 11),
        Some("invalid_provincial_bonus")
    );
    assert_eq!(error_code(|i| i.provincial_bonus = 10), None);
}

#[test]
fn first_bad_field_in_field_order_is_reported() {
    let all_bad = |i: &mut ScoringInput| {
        i.local_average_annual_wage_cny = 0;
        i.months_per_year_in_china = 13;
        i.age_years = 131;
        i.provincial_bonus = 11;
    };
    assert_eq!(error_code(all_bad), Some("invalid_average_wage"));
}
