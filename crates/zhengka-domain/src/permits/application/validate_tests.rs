use chrono::NaiveDate;

use super::*;
use crate::ids::{Nationality, PassportName, RegionCode};
use crate::permits::application::PassportNumber;
use crate::permits::application::form::*;
use crate::permits::permit::PermitNumber;
use crate::permits::scoring::{ChineseLanguage, Education};

pub(crate) fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn foreigner() -> Foreigner {
    Foreigner {
        name: PassportName::parse("Anno Bernhard Dederichs").unwrap(),
        nationality: Nationality::parse("DEU").unwrap(),
        sex: Sex::Male,
        date_of_birth: d("1970-05-01"),
        passport_number: PassportNumber::parse("C01X00T47").unwrap(),
        chinese_name: None,
        permanent_resident_id: None,
    }
}

pub(crate) fn contract(start: &str, end: &str) -> Contract {
    Contract {
        start_date: d(start),
        end_date: d(end),
        annual_salary_cny: 600_000,
        work_location_region: RegionCode::parse("440100").unwrap(),
    }
}

pub(crate) fn answers() -> ScoringAnswers {
    ScoringAnswers {
        education: Education::Doctorate,
        related_experience_years: 10,
        months_per_year_in_china: 12,
        chinese_language: ChineseLanguage::Hsk3,
        designated_poor_county: false,
        top_foreign_university: true,
        fortune_global_500_experience: false,
        patents: false,
        five_consecutive_years_in_china: false,
        recognised_talent: false,
    }
}

pub(crate) fn new_from_abroad() -> ApplicationForm {
    ApplicationForm {
        kind: ApplicationKind::NewFromAbroad,
        foreigner: Some(foreigner()),
        position: Some(Position::parse("Professor").unwrap()),
        contract: Some(contract("2026-12-01", "2028-11-30")),
        scoring: Some(answers()),
        permit_number: None,
        short_term: None,
        change: None,
        cancellation: None,
        original_notice: None,
        materials: vec![],
    }
}

fn on_permit(kind: ApplicationKind) -> ApplicationForm {
    ApplicationForm {
        kind,
        foreigner: None,
        position: None,
        contract: None,
        scoring: None,
        permit_number: Some(PermitNumber::parse("4401000000000000042").unwrap()),
        ..new_from_abroad()
    }
}

fn today() -> NaiveDate {
    d("2026-11-24")
}

fn code(form: &ApplicationForm) -> (&'static str, &'static str) {
    let e = validate(form, today()).unwrap_err();
    (e.field, e.error.code)
}

#[test]
fn a_complete_new_from_abroad_form_is_valid() {
    assert_eq!(validate(&new_from_abroad(), today()), Ok(()));
}

#[test]
fn each_kind_names_its_missing_sections() {
    let mut f = new_from_abroad();
    f.scoring = None;
    assert_eq!(code(&f), ("scoring", "required"));
    let mut f = on_permit(ApplicationKind::Cancellation);
    assert_eq!(code(&f), ("cancellation", "required"));
    f.cancellation = Some(CancellationDetails {
        employment_ended_on: d("2026-11-20"),
        reason: None,
    });
    assert_eq!(validate(&f, today()), Ok(()));
    let f = on_permit(ApplicationKind::RenewElectronic);
    assert_eq!(validate(&f, today()), Ok(()));
}

#[test]
fn sections_of_other_kinds_are_refused() {
    let mut f = on_permit(ApplicationKind::RenewElectronic);
    f.foreigner = Some(foreigner());
    assert_eq!(code(&f), ("foreigner", "not_allowed_for_kind"));
    let mut f = new_from_abroad();
    f.original_notice = Some(OriginalNotice {
        notice_number: NoticeNumber::parse("N2024001").unwrap(),
        issued_on: d("2024-10-01"),
    });
    assert_eq!(code(&f), ("original_notice", "not_allowed_for_kind"));
}

#[test]
fn contract_end_before_start_is_refused() {
    let mut f = new_from_abroad();
    f.contract = Some(contract("2027-01-01", "2026-12-31"));
    assert_eq!(code(&f), ("contract.end_date", "end_before_start"));
}

#[test]
fn new_from_abroad_needs_ninety_days_or_more() {
    let mut f = new_from_abroad();
    f.contract = Some(contract("2026-12-01", "2027-02-27")); // 89 days
    assert_eq!(code(&f), ("contract.end_date", "contract_too_short"));
    f.contract = Some(contract("2026-12-01", "2027-02-28")); // 90 days
    assert_eq!(validate(&f, today()), Ok(()));
}

#[test]
fn short_term_rules() {
    let mut f = new_from_abroad();
    f.kind = ApplicationKind::ShortTerm;
    f.scoring = None;
    f.short_term = Some(ShortTermDetails {
        situation: ShortTermSituation::Filming,
        no_criminal_record_pledge: true,
    });
    f.contract = Some(contract("2026-12-01", "2027-02-28"));
    f.foreigner.as_mut().unwrap().date_of_birth = d("1970-01-01");
    assert_eq!(validate(&f, today()), Ok(()));
    f.contract = Some(contract("2026-12-01", "2027-03-01"));
    assert_eq!(code(&f), ("contract.end_date", "contract_too_long"));
    f.contract = Some(contract("2026-12-01", "2027-01-01"));
    f.foreigner.as_mut().unwrap().date_of_birth = d("1965-11-30"); // 61 at start
    assert_eq!(code(&f), ("foreigner.date_of_birth", "over_age"));
    f.foreigner.as_mut().unwrap().date_of_birth = d("1970-01-01");
    f.short_term.as_mut().unwrap().no_criminal_record_pledge = false;
    assert_eq!(
        code(&f),
        ("short_term.no_criminal_record_pledge", "pledge_required")
    );
}

#[test]
fn chinese_nationals_and_minors_are_refused() {
    let mut f = new_from_abroad();
    f.foreigner.as_mut().unwrap().nationality = Nationality::parse("CHN").unwrap();
    assert_eq!(code(&f), ("foreigner.nationality", "not_a_foreigner"));
    let mut f = new_from_abroad();
    f.foreigner.as_mut().unwrap().date_of_birth = d("2009-01-01");
    assert_eq!(code(&f), ("foreigner.date_of_birth", "under_age"));
}

#[test]
fn reissue_notice_needs_a_notice_from_before_go_live() {
    let mut f = new_from_abroad();
    f.kind = ApplicationKind::ReissueNotice;
    assert_eq!(code(&f), ("original_notice", "required"));
    f.original_notice = Some(OriginalNotice {
        notice_number: NoticeNumber::parse("N2024001").unwrap(),
        issued_on: d("2024-12-01"),
    });
    assert_eq!(
        code(&f),
        ("original_notice.issued_on", "notice_not_before_go_live")
    );
    f.original_notice.as_mut().unwrap().issued_on = d("2024-11-30");
    assert_eq!(validate(&f, today()), Ok(()));
}

#[test]
fn change_needs_something_to_change_and_late_filing_is_flagged() {
    let mut f = on_permit(ApplicationKind::Change);
    f.change = Some(ChangeDetails {
        changed_on: d("2026-11-01"),
        new_position: None,
        new_name: None,
        new_passport_number: None,
    });
    assert_eq!(code(&f), ("change", "nothing_to_change"));
    f.change.as_mut().unwrap().new_position = Some(Position::parse("Dean").unwrap());
    assert_eq!(validate(&f, today()), Ok(()));
    assert!(change_filed_late(&f, d("2026-11-12")));
    assert!(!change_filed_late(&f, d("2026-11-11")));
}

#[test]
fn extension_may_change_the_position() {
    let mut f = on_permit(ApplicationKind::Extension);
    f.contract = Some(contract("2026-01-01", "2028-12-31"));
    f.scoring = Some(answers());
    assert_eq!(validate(&f, today()), Ok(()));
    f.position = Some(Position::parse("Dean").unwrap());
    assert_eq!(validate(&f, today()), Ok(()));
    f.contract = Some(contract("2025-01-01", "2026-11-23"));
    assert_eq!(code(&f), ("contract.end_date", "contract_already_ended"));
}

#[test]
fn scoring_errors_name_their_field() {
    let mut f = new_from_abroad();
    f.scoring.as_mut().unwrap().months_per_year_in_china = 13;
    let policy = crate::policy::Policy::default();
    let e = crate::permits::application::classify_form(&f, d("1970-05-01"), &policy, today())
        .unwrap_err();
    assert_eq!(
        (e.field, e.error.code),
        (
            "scoring.months_per_year_in_china",
            "invalid_months_in_china"
        )
    );
}
