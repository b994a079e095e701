//! What an applicant brings to the points table, and its bounds.

use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// Highest education completed. The order of the variants is the order of
/// the levels, so `education >= Education::Bachelor` reads as the rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Education {
    None,
    Bachelor,
    Master,
    Doctorate,
}

/// Chinese-language standing. Not ordered: a former Chinese national is not
/// a "level" above HSK 5, and the two table versions score it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChineseLanguage {
    None,
    Hsk1,
    Hsk2,
    Hsk3,
    Hsk4,
    Hsk5OrAbove,
    DegreeTaughtInChinese,
    FormerChineseNational,
}

/// Everything the points table and the class criteria look at.
///
/// Unknown JSON fields are refused: a misspelt flag such as `"patent": true`
/// would otherwise be dropped silently and cost the applicant 5 points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub struct ScoringInput {
    pub annual_salary_cny: u64,
    /// The province's or city's published average annual wage; must be > 0.
    pub local_average_annual_wage_cny: u64,
    pub education: Education,
    pub related_experience_years: u32,
    /// Months a year worked in China, `0..=12`.
    pub months_per_year_in_china: u32,
    pub chinese_language: ChineseLanguage,
    /// Western region, north-east old industrial base or a designated poor
    /// county (see [`super::is_designated_province`] for the province part).
    pub designated_work_location: bool,
    pub age_years: u32,
    pub top_foreign_university: bool,
    pub fortune_global_500_experience: bool,
    pub patents: bool,
    pub five_consecutive_years_in_china: bool,
    /// Points the province adds, `0..=10`.
    pub provincial_bonus: u32,
    /// A recognised talent programme or award: a direct class A criterion.
    pub recognised_talent: bool,
}

pub(crate) const MAX_MONTHS_IN_CHINA: u32 = 12;
pub(crate) const MAX_PROVINCIAL_BONUS: u32 = 10;
/// Generous on purpose: it only catches typos such as 300 or 1985.
pub(crate) const MAX_AGE_YEARS: u32 = 130;

impl ScoringInput {
    /// Checks the bounds, in field order, so the first error reported is
    /// the first bad field a person reads in the form.
    pub(crate) fn validate(&self) -> Result<(), InvalidValue> {
        if self.local_average_annual_wage_cny == 0 {
            return Err(InvalidValue::new(
                "invalid_average_wage",
                "the local average annual wage must be greater than 0",
            ));
        }
        if self.months_per_year_in_china > MAX_MONTHS_IN_CHINA {
            return Err(InvalidValue::new(
                "invalid_months_in_china",
                format!("months a year in China must be 0 to {MAX_MONTHS_IN_CHINA}"),
            ));
        }
        if self.age_years > MAX_AGE_YEARS {
            return Err(InvalidValue::new(
                "invalid_age",
                format!("age must be 0 to {MAX_AGE_YEARS} years"),
            ));
        }
        if self.provincial_bonus > MAX_PROVINCIAL_BONUS {
            return Err(InvalidValue::new(
                "invalid_provincial_bonus",
                format!("the provincial bonus must be 0 to {MAX_PROVINCIAL_BONUS}"),
            ));
        }
        Ok(())
    }
}
