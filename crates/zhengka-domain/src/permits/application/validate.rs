//! Rules a form must meet before it can be filed, per kind. Checks that need an
//! existing permit live in `crate::permits::permit::eligibility`.

use chrono::NaiveDate;

use super::ApplicationKind::{self, *};
use super::form::{ApplicationForm, Contract, Foreigner};
use crate::FieldError;
use crate::time::age_on;

/// The go-live of the integration: Notices completed before it may be reissued.
pub fn go_live() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 12, 1).expect("valid date")
}

const SECTIONS: [&str; 8] = [
    "foreigner",
    "position",
    "contract",
    "scoring",
    "permit_number",
    "short_term",
    "change",
    "cancellation",
];

/// Which sections each kind needs; any other section is refused.
fn required_sections(kind: ApplicationKind) -> &'static [&'static str] {
    match kind {
        NewFromAbroad => &["foreigner", "position", "contract", "scoring"],
        ShortTerm => &["foreigner", "position", "contract", "short_term"],
        Extension => &["permit_number", "contract", "scoring"],
        Change => &["permit_number", "change"],
        Cancellation => &["permit_number", "cancellation"],
        RenewElectronic => &["permit_number"],
        ReissueNotice => &["foreigner", "position", "contract", "scoring"],
    }
}

fn present(form: &ApplicationForm, section: &str) -> bool {
    match section {
        "foreigner" => form.foreigner.is_some(),
        "position" => form.position.is_some(),
        "contract" => form.contract.is_some(),
        "scoring" => form.scoring.is_some(),
        "permit_number" => form.permit_number.is_some(),
        "short_term" => form.short_term.is_some(),
        "change" => form.change.is_some(),
        "cancellation" => form.cancellation.is_some(),
        _ => false,
    }
}

/// Check a form on its own, as of `today`.
pub fn validate(form: &ApplicationForm, today: NaiveDate) -> Result<(), FieldError> {
    check_sections(form)?;
    if let Some(contract) = &form.contract {
        check_contract(contract)?;
    }
    if let Some(foreigner) = &form.foreigner {
        check_foreigner(foreigner, form.contract.as_ref(), today)?;
    }
    check_kind(form, today)
}

fn optional_sections(kind: ApplicationKind) -> &'static [&'static str] {
    match kind {
        Extension => &["position"],
        // Points are optional for short-term work; without them the class is C.
        ShortTerm => &["scoring"],
        _ => &[],
    }
}

fn check_sections(form: &ApplicationForm) -> Result<(), FieldError> {
    for section in SECTIONS {
        let required = required_sections(form.kind).contains(&section);
        let allowed = required || optional_sections(form.kind).contains(&section);
        let here = present(form, section);
        if required && !here {
            return Err(FieldError::required(section));
        }
        if here && !allowed {
            return Err(FieldError::new(
                section,
                "not_allowed_for_kind",
                format!(
                    "{section} is not part of a {} application",
                    form.kind.as_str()
                ),
            ));
        }
    }
    match (form.kind, &form.original_notice) {
        (ReissueNotice, None) => Err(FieldError::required("original_notice")),
        (ReissueNotice, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(FieldError::new(
            "original_notice",
            "not_allowed_for_kind",
            "only a reissue_notice application names an original Notice",
        )),
    }
}

fn check_contract(c: &Contract) -> Result<(), FieldError> {
    if c.end_date < c.start_date {
        return Err(FieldError::new(
            "contract.end_date",
            "end_before_start",
            "the contract ends before it starts",
        ));
    }
    if c.annual_salary_cny == 0 {
        return Err(FieldError::new(
            "contract.annual_salary_cny",
            "must_be_positive",
            "the annual salary must be more than zero",
        ));
    }
    Ok(())
}

fn check_foreigner(
    f: &Foreigner,
    contract: Option<&Contract>,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if f.nationality.is_china() {
        return Err(FieldError::new(
            "foreigner.nationality",
            "not_a_foreigner",
            "a Chinese national does not need a foreigner's work permit",
        ));
    }
    if f.date_of_birth >= today {
        return Err(FieldError::new(
            "foreigner.date_of_birth",
            "date_in_future",
            "the date of birth must be in the past",
        ));
    }
    let starts = contract.map_or(today, |c| c.start_date.max(today));
    if age_on(f.date_of_birth, starts) < 18 {
        return Err(FieldError::new(
            "foreigner.date_of_birth",
            "under_age",
            "a work permit holder must be at least 18 when work starts",
        ));
    }
    Ok(())
}

fn check_kind(form: &ApplicationForm, today: NaiveDate) -> Result<(), FieldError> {
    match form.kind {
        NewFromAbroad | ReissueNotice => check_long_term(form, today),
        ShortTerm => check_short_term(form),
        Extension => check_contract_not_over(form, today),
        Change => check_change(form),
        Cancellation | RenewElectronic => Ok(()),
    }
}

fn check_contract_not_over(form: &ApplicationForm, today: NaiveDate) -> Result<(), FieldError> {
    match &form.contract {
        Some(c) if c.end_date < today => Err(FieldError::new(
            "contract.end_date",
            "contract_already_ended",
            "the contract has already ended",
        )),
        _ => Ok(()),
    }
}

fn check_long_term(form: &ApplicationForm, today: NaiveDate) -> Result<(), FieldError> {
    check_contract_not_over(form, today)?;
    if form.contract.as_ref().is_some_and(|c| c.days() < 90) {
        return Err(FieldError::new(
            "contract.end_date",
            "contract_too_short",
            "work of less than 90 days is a short_term application",
        ));
    }
    if let Some(notice) = &form.original_notice
        && notice.issued_on >= go_live()
    {
        return Err(FieldError::new(
            "original_notice.issued_on",
            "notice_not_before_go_live",
            "only Notices completed before 2024-12-01 are reissued",
        ));
    }
    Ok(())
}

fn check_short_term(form: &ApplicationForm) -> Result<(), FieldError> {
    if let Some(c) = &form.contract {
        if c.days() > 90 {
            return Err(FieldError::new(
                "contract.end_date",
                "contract_too_long",
                "short-term work lasts 90 days or less",
            ));
        }
        let age = form
            .foreigner
            .as_ref()
            .map_or(18, |f| age_on(f.date_of_birth, c.start_date));
        if age > 60 {
            return Err(FieldError::new(
                "foreigner.date_of_birth",
                "over_age",
                "short-term work is open to applicants aged 18 to 60",
            ));
        }
    }
    if form
        .short_term
        .as_ref()
        .is_some_and(|s| !s.no_criminal_record_pledge)
    {
        return Err(FieldError::new(
            "short_term.no_criminal_record_pledge",
            "pledge_required",
            "short-term work needs the no-criminal-record pledge",
        ));
    }
    Ok(())
}

fn check_change(form: &ApplicationForm) -> Result<(), FieldError> {
    match &form.change {
        Some(change) if change.is_empty() => Err(FieldError::new(
            "change",
            "nothing_to_change",
            "name at least one of new_position, new_name, new_passport_number",
        )),
        _ => Ok(()),
    }
}

/// A change must be filed within 10 days of happening. Late filings are still
/// taken (refusing them would leave the record wrong) but flagged for the officer.
pub fn change_filed_late(form: &ApplicationForm, filed_on: NaiveDate) -> bool {
    form.change
        .as_ref()
        .is_some_and(|c| (filed_on - c.changed_on).num_days() > 10)
}

#[cfg(test)]
#[path = "validate_tests.rs"]
pub(crate) mod tests;
