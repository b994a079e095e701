//! A well-formed application form with every section, whose values stand in
//! for the ones already reported as wrong while the rest of a posted form is
//! checked (`web::all_errors`). Never stored, never shown.

use std::sync::LazyLock;

use serde_json::{Value, json};

pub static FORM: LazyLock<Value> = LazyLock::new(|| {
    json!({
        "kind": "new_from_abroad",
        "foreigner": { "name": "SAMPLE NAME", "nationality": "BRA", "sex": "female",
                       "date_of_birth": "1980-01-01", "passport_number": "SAMPLE123" },
        "position": "Sample",
        "contract": { "start_date": "2030-01-01", "end_date": "2031-01-01",
                      "annual_salary_cny": 1, "work_location_region": "440106" },
        "scoring": { "education": "none", "related_experience_years": 0,
                     "months_per_year_in_china": 0, "chinese_language": "none" },
        "permit_number": "SAMPLE123",
        "short_term": { "situation": "filming", "no_criminal_record_pledge": false },
        "change": { "changed_on": "2030-01-01" },
        "cancellation": { "employment_ended_on": "2030-01-01" },
        "original_notice": { "notice_number": "SAMPLE", "issued_on": "2020-01-01" }
    })
});

#[cfg(test)]
mod tests {
    use zhengka_domain::permits::application::ApplicationForm;

    #[test]
    fn the_sample_parses() {
        let form: Result<ApplicationForm, _> = serde_json::from_value(super::FORM.clone());
        assert!(form.is_ok(), "{form:?}");
    }
}
