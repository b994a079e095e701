use chrono::{TimeZone, Utc};

use super::*;
use crate::RuleError;
use crate::ids::PassportName;
use crate::permits::permit::{Permit, PermitStatus};
use crate::testing::{d, permit};

fn request(name: &str, start: &str) -> EnrolmentRequest {
    EnrolmentRequest {
        name: PassportName::parse(name).unwrap(),
        insurances: vec![],
        start_date: d(start),
    }
}

fn open(p: &Permit, req: &EnrolmentRequest) -> Result<Account, RuleError> {
    let ssn = Ssn::assign(&p.region_code, 99);
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
    open_account(
        p,
        req,
        &SocialSecurityPolicy::default(),
        ("acc-1".into(), at, ssn, "u1".into()),
    )
}

fn code(r: Result<Account, RuleError>) -> (&'static str, Option<&'static str>) {
    match r.unwrap_err() {
        RuleError::Invalid(e) => (e.error.code, Some(e.field)),
        RuleError::Conflict { code, .. } => (code, None),
    }
}

#[test]
fn a_valid_permit_opens_all_five_insurances() {
    let p = permit();
    let a = open(&p, &request("anno  bernhard dederichs", "2026-12-01")).unwrap();
    assert_eq!(a.insurances.len(), 5);
    assert!(a.insurances.iter().all(|i| i.start_date == d("2026-12-01")));
    assert!(!a.over_age && a.excluded.is_empty());
    assert_eq!(a.permit_number, p.permit_number);
    assert_eq!(a.region_code, p.region_code);
}

#[test]
fn only_a_valid_permit_is_enrolled() {
    for status in [
        PermitStatus::Suspended,
        PermitStatus::Cancelled,
        PermitStatus::Revoked,
        PermitStatus::Expired,
    ] {
        let mut p = permit();
        p.status = status;
        assert_eq!(
            code(open(&p, &request("ANNO BERNHARD DEDERICHS", "2026-12-01"))),
            ("permit_not_valid", None)
        );
    }
}

#[test]
fn the_name_must_be_the_permit_spelling() {
    let r = open(&permit(), &request("ANNO DEDERICHS", "2026-12-01"));
    assert_eq!(code(r), ("name_mismatch", Some("name")));
}

#[test]
fn insurance_starts_inside_the_permit() {
    let r = open(&permit(), &request("ANNO BERNHARD DEDERICHS", "2026-11-30"));
    assert_eq!(code(r), ("start_date_outside_permit", Some("start_date")));
}

#[test]
fn all_five_are_compulsory() {
    let mut req = request("ANNO BERNHARD DEDERICHS", "2026-12-01");
    req.insurances = vec![InsuranceKind::Medical];
    assert_eq!(
        code(open(&permit(), &req)),
        ("insurance_compulsory", Some("insurances"))
    );
    req.insurances = vec![InsuranceKind::Medical, InsuranceKind::Medical];
    assert_eq!(
        code(open(&permit(), &req)),
        ("duplicate_insurance", Some("insurances"))
    );
    req.insurances = InsuranceKind::ALL.to_vec();
    assert!(open(&permit(), &req).is_ok());
}

#[test]
fn over_age_holders_are_enrolled_without_pension() {
    let mut p = permit();
    p.date_of_birth = d("1960-01-01");
    let a = open(&p, &request("ANNO BERNHARD DEDERICHS", "2026-12-01")).unwrap();
    assert!(a.over_age);
    assert_eq!(
        a.excluded,
        vec![Exclusion {
            kind: InsuranceKind::Pension,
            reason: ExclusionReason::OverAge
        }]
    );
    assert_eq!(a.insurances.len(), 4);
    assert!(
        a.insurances
            .iter()
            .all(|i| i.kind != InsuranceKind::Pension)
    );
}

#[test]
fn the_policy_decides_what_over_age_excludes() {
    let mut p = permit();
    p.date_of_birth = d("1960-01-01");
    let policy = SocialSecurityPolicy {
        over_age_excluded: vec![InsuranceKind::Pension, InsuranceKind::Unemployment],
        ..SocialSecurityPolicy::default()
    };
    let at = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
    let req = request("ANNO BERNHARD DEDERICHS", "2026-12-01");
    let a = open_account(
        &p,
        &req,
        &policy,
        ("a".into(), at, Ssn::assign(&p.region_code, 1), "u".into()),
    )
    .unwrap();
    assert_eq!(a.excluded.len(), 2);
    assert!(
        a.insurances
            .iter()
            .any(|i| i.kind == InsuranceKind::WorkInjury)
    );
}

#[test]
fn ending_is_once_and_never_before_the_start() {
    let mut a = open(&permit(), &request("ANNO BERNHARD DEDERICHS", "2026-12-01")).unwrap();
    assert!(a.end_insurances(EndReason::PermitCancelled, d("2027-03-31"), "ev-1"));
    assert!(
        a.insurances
            .iter()
            .all(|i| i.status == InsuranceStatus::Ended && i.end_date == Some(d("2027-03-31")))
    );
    let before = a.clone();
    assert!(!a.end_insurances(EndReason::PermitRevoked, d("2027-04-30"), "ev-2"));
    assert_eq!(a, before, "a second event changes nothing");
    let mut b = open(&permit(), &request("ANNO BERNHARD DEDERICHS", "2027-06-01")).unwrap();
    b.end_insurances(EndReason::PermitRevoked, d("2027-01-01"), "ev-3");
    assert_eq!(b.insurances[0].end_date, Some(d("2027-06-01")));
}

#[test]
fn registration_limit_counts_thirty_days_from_the_permit_start() {
    let p = SocialSecurityPolicy::default();
    let due = registration_due(d("2026-12-01"), &p, d("2026-12-25"));
    assert_eq!(
        (due.due_on, due.days_left, due.overdue),
        (d("2026-12-31"), 6, false)
    );
    let due = registration_due(d("2026-12-01"), &p, d("2027-01-02"));
    assert!(due.overdue && due.days_left == -2);
}
