use chrono::{NaiveDate, TimeZone, Utc};

use super::eligibility::{Approval, apply_to_existing, check_existing_permit, new_permit};
use super::onsite::{self, OnsiteCheckInput};
use super::*;
use crate::RuleError;
use crate::ids::RegionCode;
use crate::permits::application::form::{ChangeDetails, MaterialKind, Position};
use crate::permits::application::validate::tests as forms;
use crate::permits::application::{ApplicationKind, BoundedText};
use crate::policy::Policy;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn approve(class: WorkerClass, policy: &Policy, region: &RegionCode) -> Approval<'static> {
    let policy: &'static Policy = Box::leak(Box::new(policy.clone()));
    let region: &'static RegionCode = Box::leak(Box::new(region.clone()));
    Approval {
        application_id: "app-1",
        employer_id: "emp-1",
        region_code: region,
        class,
        policy,
        now: Utc.with_ymd_and_hms(2026, 11, 24, 9, 0, 0).unwrap(),
    }
}

fn permit(class: WorkerClass) -> Permit {
    let region = RegionCode::parse("440100").unwrap();
    let form = forms::new_from_abroad();
    let number = PermitNumber::assign("440100", 7);
    new_permit(&form, number, &approve(class, &Policy::default(), &region)).unwrap()
}

/// The approval's day, as the server gives it (the permit's `issued_at`).
fn approved(p: &Permit) -> NaiveDate {
    p.issued_at.date_naive()
}

#[test]
fn entry_is_not_before_the_approval_nor_in_the_future() {
    let p = permit(WorkerClass::B);
    let approved_on = approved(&p);
    assert_eq!(approved_on, d("2026-11-24"));
    let today = d("2026-12-11");
    let entry = |on: &str| onsite::record_entry(&p.onsite, d(on), approved_on, today);
    let code = |r: Result<OnsiteCheck, RuleError>| match r {
        Err(RuleError::Invalid(f)) => (f.field, f.error.code),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        code(entry("2026-11-23")),
        ("entry_date", "entry_before_approval")
    );
    assert!(entry("2026-11-24").is_ok(), "the day of approval");
    assert!(entry("2026-12-11").is_ok(), "today");
    assert_eq!(code(entry("2026-12-12")), ("entry_date", "date_in_future"));
    let early = check_input("2026-11-20", "2026-11-01");
    let e = onsite::record_check(&p.onsite, p.status, &early, approved_on, today, "D".into());
    assert!(matches!(e, Err(RuleError::Invalid(f)) if f.error.code == "entry_before_approval"));
}

#[test]
fn the_medical_report_is_at_most_six_months_before_the_check() {
    let p = permit(WorkerClass::C);
    let today = d("2026-12-20");
    let check = |medical: &str| {
        let input = check_input("2026-12-10", medical);
        onsite::record_check(&p.onsite, p.status, &input, approved(&p), today, "D".into())
    };
    assert!(check("2026-06-20").is_ok(), "exactly six months before");
    let e = check("2026-06-19").unwrap_err();
    assert!(matches!(e, RuleError::Invalid(f) if f.error.code == "medical_report_too_old"));
    let e = check("2026-12-21").unwrap_err();
    assert!(matches!(e, RuleError::Invalid(f) if f.error.code == "date_in_future"));
}

#[test]
fn validity_never_outlasts_contract_or_cap() {
    // contract 2026-12-01..2028-11-30 (2 years); class C cap 1 year
    let p = permit(WorkerClass::C);
    assert_eq!(
        (p.valid_from, p.valid_to),
        (d("2026-12-01"), d("2027-11-30"))
    );
    let p = permit(WorkerClass::B);
    assert_eq!(p.valid_to, d("2028-11-30"));
    let p = permit(WorkerClass::A);
    assert_eq!(
        p.valid_to,
        d("2028-11-30"),
        "contract ends before the A cap"
    );
}

#[test]
fn terms_start_no_earlier_than_today() {
    let c = forms::contract("2026-01-01", "2026-12-31");
    let t = grant_terms(
        &c,
        WorkerClass::A,
        &ValidityCaps::default(),
        d("2026-11-24"),
    )
    .unwrap();
    assert_eq!(t.valid_from, d("2026-11-24"));
    let c = forms::contract("2026-01-01", "2026-11-23");
    let e = grant_terms(
        &c,
        WorkerClass::A,
        &ValidityCaps::default(),
        d("2026-11-24"),
    );
    assert_eq!(e.unwrap_err().error.code, "contract_already_ended");
}

#[test]
fn only_class_b_and_c_from_abroad_need_the_onsite_check() {
    assert_eq!(permit(WorkerClass::A).onsite, OnsiteCheck::NotRequired);
    assert_eq!(permit(WorkerClass::B).onsite, OnsiteCheck::AwaitingEntry);
    assert_eq!(
        onsite::required(ApplicationKind::ShortTerm, WorkerClass::C),
        OnsiteCheck::NotRequired
    );
}

#[test]
fn missing_the_thirty_days_suspends_then_revokes() {
    let mut p = permit(WorkerClass::B);
    p.onsite =
        onsite::record_entry(&p.onsite, d("2026-12-10"), approved(&p), d("2026-12-11")).unwrap();
    assert_eq!(
        p.onsite,
        OnsiteCheck::Due {
            entry_date: d("2026-12-10"),
            due_by: d("2027-01-09")
        }
    );
    assert_eq!(p.status_due(d("2027-01-09")), None);
    assert_eq!(p.status_due(d("2027-01-10")), Some(PermitStatus::Suspended));
    assert_eq!(p.status_due(d("2027-02-09")), Some(PermitStatus::Revoked));
    p.status = PermitStatus::Revoked;
    assert_eq!(p.status_due(d("2030-01-01")), None, "revocation is final");
}

#[test]
fn expiry_is_due_after_the_last_valid_day() {
    let p = permit(WorkerClass::A);
    assert_eq!(p.status_due(d("2028-11-30")), None);
    assert_eq!(p.status_due(d("2028-12-01")), Some(PermitStatus::Expired));
}

fn check_input(entry: &str, medical: &str) -> OnsiteCheckInput {
    OnsiteCheckInput {
        entry_date: d(entry),
        visa_number: BoundedText::parse("Z12345678").unwrap(),
        medical_report_issued_on: d(medical),
        materials_checked: vec![
            MaterialKind::VisaOrResidencePermitCopy,
            MaterialKind::MedicalReport,
        ],
    }
}

#[test]
fn onsite_check_records_and_reinstates() {
    let p = permit(WorkerClass::C);
    let input = check_input("2026-12-10", "2026-10-01");
    let (done, status) = onsite::record_check(
        &p.onsite,
        PermitStatus::Suspended,
        &input,
        approved(&p),
        d("2027-01-20"),
        "D1".into(),
    )
    .unwrap();
    assert_eq!(status, PermitStatus::Valid);
    assert!(matches!(done, OnsiteCheck::Done { late: true, .. }));
    let again = onsite::record_check(
        &done,
        status,
        &input,
        approved(&p),
        d("2027-01-21"),
        "D2".into(),
    );
    assert!(matches!(
        again,
        Err(RuleError::Conflict {
            code: "onsite_check_already_done",
            ..
        })
    ));
}

#[test]
fn onsite_check_refuses_old_medical_reports_and_missing_materials() {
    let p = permit(WorkerClass::C);
    let today = d("2026-12-20");
    let old = check_input("2026-12-10", "2026-06-19");
    let e = onsite::record_check(&p.onsite, p.status, &old, approved(&p), today, "D".into())
        .unwrap_err();
    assert!(matches!(e, RuleError::Invalid(f) if f.error.code == "medical_report_too_old"));
    let mut missing = check_input("2026-12-10", "2026-12-01");
    missing.materials_checked.pop();
    let e = onsite::record_check(
        &p.onsite,
        p.status,
        &missing,
        approved(&p),
        today,
        "D".into(),
    )
    .unwrap_err();
    assert!(matches!(e, RuleError::Invalid(f) if f.field == "materials_checked"));
    let a = permit(WorkerClass::A);
    let ok = check_input("2026-12-10", "2026-12-01");
    let e = onsite::record_check(&a.onsite, a.status, &ok, approved(&a), today, "D".into())
        .unwrap_err();
    assert!(matches!(
        e,
        RuleError::Conflict {
            code: "onsite_check_not_required",
            ..
        }
    ));
}

#[test]
fn no_change_no_replacement_for_physical_permits() {
    use ApplicationKind::*;
    for kind in [Extension, Change, RenewElectronic] {
        assert_eq!(
            medium_after(kind, PermitMedium::Physical),
            PermitMedium::Electronic
        );
    }
    for kind in [Cancellation, NewFromAbroad] {
        assert_eq!(
            medium_after(kind, PermitMedium::Physical),
            PermitMedium::Physical
        );
    }
}

#[test]
fn renewal_needs_a_physical_unexpired_permit() {
    let mut p = permit(WorkerClass::A);
    let mut form = forms::new_from_abroad();
    form.kind = ApplicationKind::RenewElectronic;
    let e = check_existing_permit(&form, &p, d("2027-01-01")).unwrap_err();
    assert_eq!(e.error.code, "already_electronic");
    p.medium = PermitMedium::Physical;
    assert_eq!(check_existing_permit(&form, &p, d("2027-01-01")), Ok(()));
    let e = check_existing_permit(&form, &p, d("2029-01-01")).unwrap_err();
    assert_eq!(e.error.code, "permit_not_active");
}

#[test]
fn extension_must_extend_and_moves_to_electronic() {
    let mut p = permit(WorkerClass::B);
    p.medium = PermitMedium::Physical;
    let mut form = forms::new_from_abroad();
    form.kind = ApplicationKind::Extension;
    form.contract = Some(forms::contract("2026-12-01", "2028-11-30"));
    let e = check_existing_permit(&form, &p, d("2027-01-01")).unwrap_err();
    assert_eq!(e.error.code, "extension_does_not_extend");
    form.contract = Some(forms::contract("2026-12-01", "2031-11-30"));
    assert_eq!(check_existing_permit(&form, &p, d("2027-01-01")), Ok(()));
    let region = RegionCode::parse("440100").unwrap();
    let a = approve(WorkerClass::B, &Policy::default(), &region);
    let extended = apply_to_existing(&form, p.clone(), &a).unwrap();
    assert_eq!(
        extended.valid_to,
        d("2030-11-30"),
        "two-year B cap from 2028-12-01"
    );
    assert_eq!(extended.medium, PermitMedium::Electronic);
    assert_eq!(
        extended.permit_number, p.permit_number,
        "the number is for life"
    );
}

#[test]
fn change_and_cancellation_update_the_record() {
    let p = permit(WorkerClass::B);
    let region = RegionCode::parse("440100").unwrap();
    let a = approve(WorkerClass::B, &Policy::default(), &region);
    let mut form = forms::new_from_abroad();
    form.kind = ApplicationKind::Change;
    form.change = Some(ChangeDetails {
        changed_on: d("2026-11-20"),
        new_position: Some(Position::parse("Dean").unwrap()),
        new_name: None,
        new_passport_number: None,
    });
    let changed = apply_to_existing(&form, p.clone(), &a).unwrap();
    assert_eq!(changed.position.as_str(), "Dean");
    form.kind = ApplicationKind::Cancellation;
    let cancelled = apply_to_existing(&form, p, &a).unwrap();
    assert_eq!(cancelled.status, PermitStatus::Cancelled);
    assert!(cancelled.status.is_terminal());
}

#[test]
fn permit_changes_tell_the_other_contexts() {
    use crate::events::EventData;
    let today = d("2027-03-01");
    let mut p = permit(WorkerClass::B);
    let n = p.permit_number.to_string();
    assert_eq!(
        events_of_change(None, &p, Some(ApplicationKind::NewFromAbroad), today),
        vec![EventData::PermitApproved {
            permit_number: n.clone()
        }]
    );
    assert_eq!(
        events_of_change(
            Some(PermitStatus::Valid),
            &p,
            Some(ApplicationKind::Extension),
            today
        ),
        vec![EventData::PermitChanged {
            permit_number: n.clone()
        }]
    );
    p.status = PermitStatus::Cancelled;
    assert_eq!(
        events_of_change(
            Some(PermitStatus::Valid),
            &p,
            Some(ApplicationKind::Cancellation),
            today
        ),
        vec![EventData::PermitCancelled {
            permit_number: n.clone(),
            ended_on: today
        }]
    );
    p.status = PermitStatus::Suspended;
    assert!(matches!(
        events_of_change(Some(PermitStatus::Valid), &p, None, today)[0],
        EventData::PermitSuspended { .. }
    ));
    p.status = PermitStatus::Valid;
    assert!(matches!(
        events_of_change(Some(PermitStatus::Suspended), &p, None, today)[0],
        EventData::PermitReinstated { .. }
    ));
    assert!(events_of_change(Some(PermitStatus::Valid), &p, None, today).is_empty());
}
