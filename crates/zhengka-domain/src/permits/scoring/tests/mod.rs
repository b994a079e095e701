//! Tests of the points tables and class decision, through the public API.

mod classes;
mod properties;
mod region;
mod rows_language_age_extras;
mod rows_salary_education;
mod rows_work_and_months;
mod serde_names;
mod validation;

use super::*;

/// A valid input that scores 0 on every item: each test changes only the
/// fields it is about, so a failure points at one rule.
fn zero_input() -> ScoringInput {
    ScoringInput {
        annual_salary_cny: 0,
        local_average_annual_wage_cny: 100_000,
        education: Education::None,
        related_experience_years: 0,
        months_per_year_in_china: 0,
        chinese_language: ChineseLanguage::None,
        designated_work_location: false,
        age_years: 0,
        top_foreign_university: false,
        fortune_global_500_experience: false,
        patents: false,
        five_consecutive_years_in_china: false,
        provincial_bonus: 0,
        recognised_talent: false,
    }
}

/// The points `input` earns on `item` under `version`.
fn item_points(input: &ScoringInput, version: PointsTableVersion, item: ScoreItem) -> u32 {
    let score = score(input, version).expect("valid input");
    let line = score.items.iter().find(|line| line.item == item);
    line.expect("every item is listed").points
}

/// The points on `item` for an input built by `edit`, asserting that the
/// two versions agree (the rows tested with this are not version-specific).
fn same_in_both(item: ScoreItem, edit: impl Fn(&mut ScoringInput)) -> u32 {
    let mut input = zero_input();
    edit(&mut input);
    let interim = item_points(&input, PointsTableVersion::Interim, item);
    let trial = item_points(&input, PointsTableVersion::Trial2017, item);
    assert_eq!(interim, trial, "{item:?} differs between versions");
    interim
}

/// Orders classes C < B < A, for monotonicity checks.
fn class_rank(class: WorkerClass) -> u8 {
    match class {
        WorkerClass::C => 0,
        WorkerClass::B => 1,
        WorkerClass::A => 2,
    }
}
