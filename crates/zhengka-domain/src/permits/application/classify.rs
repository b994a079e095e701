//! The class (A, B, C) an application earns, from its form and the policy.

use chrono::NaiveDate;

use super::ApplicationForm;
use crate::FieldError;
use crate::permits::scoring::{Classification, ScoringInput, classify, is_designated_province};
use crate::policy::Policy;
use crate::time::age_on;

/// Classify a form on `on`. Forms without a scoring section (change, cancellation,
/// renewal) keep the permit's class: `None`.
pub fn classify_form(
    form: &ApplicationForm,
    date_of_birth: NaiveDate,
    policy: &Policy,
    on: NaiveDate,
) -> Result<Option<Classification>, FieldError> {
    let (Some(answers), Some(contract)) = (&form.scoring, &form.contract) else {
        return Ok(None);
    };
    let province = &contract.work_location_region.as_str()[..2];
    let input = ScoringInput {
        annual_salary_cny: contract.annual_salary_cny,
        local_average_annual_wage_cny: policy.local_average_annual_wage_cny,
        education: answers.education,
        related_experience_years: answers.related_experience_years,
        months_per_year_in_china: answers.months_per_year_in_china,
        chinese_language: answers.chinese_language,
        designated_work_location: answers.designated_poor_county
            || is_designated_province(province),
        age_years: age_on(date_of_birth, on),
        top_foreign_university: answers.top_foreign_university,
        fortune_global_500_experience: answers.fortune_global_500_experience,
        patents: answers.patents,
        five_consecutive_years_in_china: answers.five_consecutive_years_in_china,
        provincial_bonus: policy.provincial_bonus,
        recognised_talent: answers.recognised_talent,
    };
    classify(&input, policy.points_version)
        .map(Some)
        .map_err(|error| FieldError {
            field: field_of(error.code),
            error,
        })
}

/// Where in the form a scoring error comes from (the wage and bonus are policy).
fn field_of(code: &str) -> &'static str {
    match code {
        "invalid_months_in_china" => "scoring.months_per_year_in_china",
        "invalid_age" => "foreigner.date_of_birth",
        _ => "scoring",
    }
}
