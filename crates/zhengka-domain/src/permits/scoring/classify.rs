//! The class decision: A (high-end), B (professional) or C (the rest).

use serde::{Deserialize, Serialize};

use super::input::{Education, ScoringInput};
use super::points::{Score, score};
use super::version::PointsTableVersion;
use crate::InvalidValue;

/// Class A: high-end talent, no quota. B: professional, market-limited.
/// C: the rest, under quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkerClass {
    // Explicit: the classes are written "A", "B", "C" everywhere in the
    // standard and on permits; `snake_case` would lower-case them.
    #[serde(rename = "A")]
    A,
    #[serde(rename = "B")]
    B,
    #[serde(rename = "C")]
    C,
}

/// The criterion that decided the class: the first that holds, in the order
/// A (recognised talent, salary multiple, points), then B (points, degree
/// and experience, salary multiple), then C by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassBasis {
    Points,
    RecognisedTalent,
    SalaryMultiple,
    DegreeAndExperience,
    Default,
}

/// A class, why, and the score it was decided with (kept even when the
/// class came from a direct criterion, for the record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Classification {
    pub class: WorkerClass,
    pub basis: ClassBasis,
    pub score: Score,
}

const CLASS_A_POINTS: u32 = 85;
const CLASS_B_POINTS: u32 = 60;
const CLASS_A_SALARY_MULTIPLE: u64 = 6;
const CLASS_B_SALARY_MULTIPLE: u64 = 4;
const CLASS_B_MIN_EXPERIENCE_YEARS: u32 = 2;
const CLASS_B_MAX_AGE_YEARS: u32 = 60;

/// Scores `input` and decides its class. Same errors as [`score`].
pub fn classify(
    input: &ScoringInput,
    version: PointsTableVersion,
) -> Result<Classification, InvalidValue> {
    let score = score(input, version)?;
    let (class, basis) = decide(input, score.total);
    Ok(Classification {
        class,
        basis,
        score,
    })
}

/// The first criterion that holds wins; the order is the standard's.
fn decide(input: &ScoringInput, total: u32) -> (WorkerClass, ClassBasis) {
    if input.recognised_talent {
        (WorkerClass::A, ClassBasis::RecognisedTalent)
    } else if salary_at_least(input, CLASS_A_SALARY_MULTIPLE) {
        (WorkerClass::A, ClassBasis::SalaryMultiple)
    } else if total >= CLASS_A_POINTS {
        (WorkerClass::A, ClassBasis::Points)
    } else if total >= CLASS_B_POINTS {
        (WorkerClass::B, ClassBasis::Points)
    } else if degree_and_experience(input) {
        (WorkerClass::B, ClassBasis::DegreeAndExperience)
    } else if salary_at_least(input, CLASS_B_SALARY_MULTIPLE) {
        (WorkerClass::B, ClassBasis::SalaryMultiple)
    } else {
        (WorkerClass::C, ClassBasis::Default)
    }
}

/// "At least N times the local average wage", exactly: compared in u128 so
/// a huge average wage cannot overflow into a false "yes".
fn salary_at_least(input: &ScoringInput, multiple: u64) -> bool {
    let threshold = u128::from(input.local_average_annual_wage_cny) * u128::from(multiple);
    u128::from(input.annual_salary_cny) >= threshold
}

/// A bachelor's degree or higher, 2+ years of related experience, age 60 or under.
fn degree_and_experience(input: &ScoringInput) -> bool {
    input.education >= Education::Bachelor
        && input.related_experience_years >= CLASS_B_MIN_EXPERIENCE_YEARS
        && input.age_years <= CLASS_B_MAX_AGE_YEARS
}
