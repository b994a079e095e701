//! Salary rows (lower-inclusive bands, in whole CNY) and education rows.

use super::*;

fn salary(cny: u64) -> u32 {
    same_in_both(ScoreItem::Salary, |i| i.annual_salary_cny = cny)
}

fn education(level: Education) -> u32 {
    same_in_both(ScoreItem::Education, |i| i.education = level)
}

#[test]
fn salary_450k_or_more_scores_20() {
    assert_eq!(salary(450_000), 20);
    assert_eq!(salary(u64::MAX), 20);
}

#[test]
fn salary_350k_to_under_450k_scores_17() {
    assert_eq!(salary(350_000), 17);
    assert_eq!(salary(449_999), 17);
}

#[test]
fn salary_250k_to_under_350k_scores_14() {
    assert_eq!(salary(250_000), 14);
    assert_eq!(salary(349_999), 14);
}

#[test]
fn salary_150k_to_under_250k_scores_11() {
    assert_eq!(salary(150_000), 11);
    assert_eq!(salary(249_999), 11);
}

#[test]
fn salary_70k_to_under_150k_scores_8() {
    assert_eq!(salary(70_000), 8);
    assert_eq!(salary(149_999), 8);
}

#[test]
fn salary_50k_to_under_70k_scores_5() {
    assert_eq!(salary(50_000), 5);
    assert_eq!(salary(69_999), 5);
}

#[test]
fn salary_under_50k_scores_0() {
    assert_eq!(salary(0), 0);
    assert_eq!(salary(49_999), 0);
}

#[test]
fn doctorate_scores_20() {
    assert_eq!(education(Education::Doctorate), 20);
}

#[test]
fn master_scores_15() {
    assert_eq!(education(Education::Master), 15);
}

#[test]
fn bachelor_scores_10() {
    assert_eq!(education(Education::Bachelor), 10);
}

#[test]
fn no_degree_scores_0() {
    assert_eq!(education(Education::None), 0);
}
