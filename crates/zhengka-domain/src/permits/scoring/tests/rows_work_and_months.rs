//! Work experience rows (the cap differs by version) and months in China.

use super::*;

fn experience(version: PointsTableVersion, years: u32) -> u32 {
    let input = ScoringInput {
        related_experience_years: years,
        ..zero_input()
    };
    item_points(&input, version, ScoreItem::WorkExperience)
}

fn months(months: u32) -> u32 {
    same_in_both(ScoreItem::MonthsInChina, |i| {
        i.months_per_year_in_china = months
    })
}

#[test]
fn experience_under_2_years_scores_0_in_both_versions() {
    for version in [PointsTableVersion::Interim, PointsTableVersion::Trial2017] {
        assert_eq!(experience(version, 0), 0);
        assert_eq!(experience(version, 1), 0);
    }
}

#[test]
fn experience_2_years_scores_5_and_1_more_per_year_in_both_versions() {
    for version in [PointsTableVersion::Interim, PointsTableVersion::Trial2017] {
        assert_eq!(experience(version, 2), 5);
        assert_eq!(experience(version, 3), 6);
        assert_eq!(experience(version, 10), 13);
    }
}

#[test]
fn interim_experience_reaches_cap_20_at_17_years() {
    let interim = PointsTableVersion::Interim;
    assert_eq!(experience(interim, 16), 19);
    assert_eq!(experience(interim, 17), 20);
    assert_eq!(experience(interim, 18), 20);
    assert_eq!(experience(interim, u32::MAX), 20);
}

#[test]
fn trial_experience_reaches_cap_15_at_12_years() {
    let trial = PointsTableVersion::Trial2017;
    assert_eq!(experience(trial, 11), 14);
    assert_eq!(experience(trial, 12), 15);
    assert_eq!(experience(trial, 13), 15);
    assert_eq!(experience(trial, u32::MAX), 15);
}

#[test]
fn months_9_or_more_score_15() {
    assert_eq!(months(9), 15);
    assert_eq!(months(12), 15);
}

#[test]
fn months_6_to_under_9_score_10() {
    assert_eq!(months(6), 10);
    assert_eq!(months(8), 10);
}

#[test]
fn months_3_to_under_6_score_5() {
    assert_eq!(months(3), 5);
    assert_eq!(months(5), 5);
}

#[test]
fn months_under_3_score_0() {
    assert_eq!(months(0), 0);
    assert_eq!(months(2), 0);
}
