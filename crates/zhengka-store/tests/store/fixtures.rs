//! Domain values for the stories, built through the public parsers.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use zhengka_domain::employer::{Address, Employer, EmployerName, Role, User};
use zhengka_domain::ids::{Nationality, PassportName, RegionCode, Uscc};
use zhengka_domain::permits::application::form::{Contract, Foreigner, Position, Sex};
use zhengka_domain::permits::application::{
    Application, ApplicationForm, ApplicationKind, ApplicationStatus, PassportNumber,
};
use zhengka_domain::permits::permit::eligibility::{Approval, new_permit};
use zhengka_domain::permits::permit::{Permit, PermitNumber};
use zhengka_domain::permits::scoring::WorkerClass;
use zhengka_domain::policy::Policy;
use zhengka_store::{Audit, StoreError, Write};

/// The story clock: 2026-11-24 09:00 UTC plus `seconds`.
pub fn at(seconds: i64) -> DateTime<Utc> {
    let base: DateTime<Utc> = "2026-11-24T09:00:00Z".parse().expect("a timestamp");
    base + Duration::seconds(seconds)
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

pub fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).expect("a listed region")
}

/// Employer number `n` in `region_code`, with a USCC of its own.
pub fn employer(n: u32, region_code: &str) -> Employer {
    Employer {
        id: format!("emp-{n:03}"),
        uscc: Uscc::with_check_character(&format!("91440100MA{n:07}")).expect("a USCC"),
        name: EmployerName::parse(&format!("Acme Trading {n}")).expect("a name"),
        region_code: region(region_code),
        address: Address::parse("1 Tianhe Road").expect("an address"),
        created_at: at(i64::from(n)),
    }
}

pub fn user(id: &str, username: &str, role: Role, employer_id: Option<&str>) -> User {
    User {
        id: id.to_owned(),
        username: username.to_owned(),
        role,
        employer_id: employer_id.map(str::to_owned),
        region_code: role.needs_region().then(|| region("440100")),
        created_at: at(0),
    }
}

/// The write context of a change: its audit event, no idempotency key.
pub fn write(action: &'static str, entity_type: &'static str, entity_id: &str) -> Write {
    Write::new(Audit {
        at: at(0),
        actor: "user-admin".to_owned(),
        action,
        entity_type,
        entity_id: entity_id.to_owned(),
        details: serde_json::json!({ "note": format!("{action} {entity_id}") }),
    })
}

pub fn foreigner(name: &str, passport: &str) -> Foreigner {
    Foreigner {
        name: PassportName::parse(name).expect("a passport name"),
        nationality: Nationality::parse("DEU").expect("a nationality"),
        sex: Sex::Female,
        date_of_birth: date("1985-05-01"),
        passport_number: PassportNumber::parse(passport).expect("a passport number"),
        chinese_name: None,
        permanent_resident_id: None,
    }
}

/// A form of `kind` for the holder of `passport`. Storage applies no form rules,
/// so every kind carries the same sections here.
pub fn form(kind: ApplicationKind, name: &str, passport: &str) -> ApplicationForm {
    ApplicationForm {
        kind,
        foreigner: Some(foreigner(name, passport)),
        position: Some(Position::parse("Senior Engineer").expect("a position")),
        contract: Some(Contract {
            start_date: date("2026-12-01"),
            end_date: date("2028-11-30"),
            annual_salary_cny: 600_000,
            work_location_region: region("440100"),
        }),
        scoring: None,
        permit_number: None,
        short_term: None,
        change: None,
        cancellation: None,
        original_notice: None,
        materials: vec![],
    }
}

/// A new-from-abroad application, version 1 as first stored.
pub fn application(id: &str, e: &Employer, created_at: DateTime<Utc>) -> Application {
    Application {
        id: id.to_owned(),
        employer_id: e.id.clone(),
        region_code: e.region_code.clone(),
        form: form(ApplicationKind::NewFromAbroad, "Ada Example", "E1234567"),
        status: ApplicationStatus::Submitted,
        classification: None,
        permit_number: None,
        decision_due_on: Some(date("2026-12-22")),
        late_filing: false,
        cut_over: false,
        notice: None,
        history: vec![],
        version: 1,
        created_at,
        updated_at: created_at,
    }
}

/// The approved next version of `a`, and the new permit (version 0) it creates.
pub fn approve(a: &Application, number: u64) -> (Application, Permit) {
    let permit_number = PermitNumber::assign("440100", number);
    let approval = Approval {
        application_id: &a.id,
        employer_id: &a.employer_id,
        region_code: &a.region_code,
        class: WorkerClass::A,
        policy: &Policy::default(),
        now: at(3600),
    };
    let permit = new_permit(&a.form, permit_number.clone(), &approval).expect("a permit");
    let mut next = a.clone();
    next.status = ApplicationStatus::Approved;
    next.permit_number = Some(permit_number);
    next.version += 1;
    next.updated_at = at(3600);
    (next, permit)
}

#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::Conflict { .. }) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}
