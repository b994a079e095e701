//! Each class criterion, on both sides of its threshold, and their order.

use super::*;

fn decided(input: &ScoringInput) -> (WorkerClass, ClassBasis) {
    decided_in(input, PointsTableVersion::Interim)
}

fn decided_in(input: &ScoringInput, version: PointsTableVersion) -> (WorkerClass, ClassBasis) {
    let classification = classify(input, version).expect("valid input");
    (classification.class, classification.basis)
}

/// 70 interim points, no salary: doctorate 20, 17 years' experience 20,
/// 12 months 15, age 30 15. It also meets degree-and-experience, which
/// only matters below 60 points.
fn seventy_points() -> ScoringInput {
    ScoringInput {
        education: Education::Doctorate,
        related_experience_years: 17,
        months_per_year_in_china: 12,
        age_years: 30,
        ..zero_input()
    }
}

/// 50 points with no degree (so no degree-and-experience criterion):
/// 17 years' experience 20, 12 months 15, age 30 15.
fn fifty_points_no_degree() -> ScoringInput {
    ScoringInput {
        education: Education::None,
        ..seventy_points()
    }
}

#[test]
fn recognised_talent_is_class_a_whatever_the_points() {
    let input = ScoringInput {
        recognised_talent: true,
        ..zero_input()
    };
    assert_eq!(
        decided(&input),
        (WorkerClass::A, ClassBasis::RecognisedTalent)
    );
}

#[test]
fn salary_6x_average_is_class_a() {
    let at = ScoringInput {
        annual_salary_cny: 600_000,
        local_average_annual_wage_cny: 100_000,
        ..zero_input()
    };
    let below = ScoringInput {
        annual_salary_cny: 599_999,
        ..at.clone()
    };
    assert_eq!(decided(&at), (WorkerClass::A, ClassBasis::SalaryMultiple));
    // Still 4x or more: falls to class B on the salary multiple.
    assert_eq!(
        decided(&below),
        (WorkerClass::B, ClassBasis::SalaryMultiple)
    );
}

#[test]
fn eighty_five_points_is_class_a() {
    let at = ScoringInput {
        designated_work_location: true,
        provincial_bonus: 5,
        ..seventy_points()
    };
    let below = ScoringInput {
        provincial_bonus: 4,
        ..at.clone()
    };
    assert_eq!(decided(&at), (WorkerClass::A, ClassBasis::Points));
    assert_eq!(decided(&below), (WorkerClass::B, ClassBasis::Points));
}

#[test]
fn sixty_points_is_class_b() {
    let at = ScoringInput {
        provincial_bonus: 10,
        ..fifty_points_no_degree()
    };
    let below = ScoringInput {
        provincial_bonus: 9,
        ..at.clone()
    };
    assert_eq!(decided(&at), (WorkerClass::B, ClassBasis::Points));
    assert_eq!(decided(&below), (WorkerClass::C, ClassBasis::Default));
}

/// Bachelor, 2 years' experience, age 60: 10 + 5 + 5 = 20 points.
fn bachelor_two_years_age_60() -> ScoringInput {
    ScoringInput {
        education: Education::Bachelor,
        related_experience_years: 2,
        age_years: 60,
        ..zero_input()
    }
}

#[test]
fn bachelor_with_2_years_at_60_or_under_is_class_b() {
    let at = bachelor_two_years_age_60();
    assert_eq!(
        decided(&at),
        (WorkerClass::B, ClassBasis::DegreeAndExperience)
    );
    let master = ScoringInput {
        education: Education::Master,
        ..at.clone()
    };
    assert_eq!(
        decided(&master),
        (WorkerClass::B, ClassBasis::DegreeAndExperience)
    );
}

#[test]
fn degree_and_experience_fails_on_each_missing_part() {
    let base = bachelor_two_years_age_60();
    let no_degree = ScoringInput {
        education: Education::None,
        ..base.clone()
    };
    let one_year = ScoringInput {
        related_experience_years: 1,
        ..base.clone()
    };
    let over_60 = ScoringInput {
        age_years: 61,
        ..base
    };
    for input in [no_degree, one_year, over_60] {
        assert_eq!(
            decided(&input),
            (WorkerClass::C, ClassBasis::Default),
            "{input:?}"
        );
    }
}

#[test]
fn salary_4x_average_is_class_b() {
    let at = ScoringInput {
        annual_salary_cny: 400_000,
        local_average_annual_wage_cny: 100_000,
        ..zero_input()
    };
    let below = ScoringInput {
        annual_salary_cny: 399_999,
        ..at.clone()
    };
    assert_eq!(decided(&at), (WorkerClass::B, ClassBasis::SalaryMultiple));
    assert_eq!(decided(&below), (WorkerClass::C, ClassBasis::Default));
}

#[test]
fn nothing_met_is_class_c() {
    assert_eq!(
        decided(&zero_input()),
        (WorkerClass::C, ClassBasis::Default)
    );
}

#[test]
fn first_criterion_in_the_standards_order_is_the_basis() {
    let everything = ScoringInput {
        recognised_talent: true,
        annual_salary_cny: 10_000_000,
        designated_work_location: true,
        provincial_bonus: 10,
        ..seventy_points()
    };
    assert_eq!(decided(&everything).1, ClassBasis::RecognisedTalent);
    let no_award = ScoringInput {
        recognised_talent: false,
        ..everything
    };
    assert_eq!(decided(&no_award).1, ClassBasis::SalaryMultiple);
    // 70 points and a doctorate: points come before degree-and-experience.
    assert_eq!(
        decided(&seventy_points()),
        (WorkerClass::B, ClassBasis::Points)
    );
}

#[test]
fn trial_former_national_points_can_lift_to_class_a() {
    // Doctorate 20, 12 years (15 in both), 12 months 15, age 30 15,
    // location 10 = 75; former national: interim +5 = 80, trial +10 = 85.
    let input = ScoringInput {
        related_experience_years: 12,
        designated_work_location: true,
        chinese_language: ChineseLanguage::FormerChineseNational,
        ..seventy_points()
    };
    let interim = classify(&input, PointsTableVersion::Interim).unwrap();
    let trial = classify(&input, PointsTableVersion::Trial2017).unwrap();
    assert_eq!((interim.score.total, interim.class), (80, WorkerClass::B));
    assert_eq!((trial.score.total, trial.class), (85, WorkerClass::A));
    assert_eq!(trial.score.version, PointsTableVersion::Trial2017);
}

#[test]
fn huge_average_wage_does_not_overflow_the_multiple() {
    let input = ScoringInput {
        annual_salary_cny: u64::MAX,
        local_average_annual_wage_cny: u64::MAX,
        ..zero_input()
    };
    // 1x the average: neither multiple holds; salary points alone (20).
    assert_eq!(decided(&input), (WorkerClass::C, ClassBasis::Default));
}
