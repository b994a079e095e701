//! The Work Permit Notice issued on approval of an application from abroad.

use chrono::{DateTime, Days, Utc};
use zhengka_credential::{PermitFacts, StatusRef, Validity};
use zhengka_domain::employer::Employer;
use zhengka_domain::permits::application::Notice;
use zhengka_domain::permits::permit::Permit;
use zhengka_domain::permits::scoring::WorkerClass;

use super::Credentials;

fn class_letter(c: WorkerClass) -> &'static str {
    match c {
        WorkerClass::A => "A",
        WorkerClass::B => "B",
        WorkerClass::C => "C",
    }
}

/// What every credential says about a permit: the permit record is the one source.
pub fn permit_facts(permit: &Permit, employer: &Employer) -> PermitFacts {
    PermitFacts {
        permit_number: permit.permit_number.to_string(),
        holder_name: permit.holder_name.as_str().to_owned(),
        nationality: permit.nationality.as_str().to_owned(),
        date_of_birth: permit.date_of_birth.to_string(),
        employer_name: employer.name.as_str().to_owned(),
        employer_uscc: employer.uscc.as_str().to_owned(),
        class: class_letter(permit.class).to_owned(),
        position: permit.position.as_str().to_owned(),
        valid_from: permit.valid_from.to_string(),
        valid_to: permit.valid_to.to_string(),
    }
}

/// Sign a Notice for `permit`, valid until the end of the permit's last day and
/// tied to the permit period's status-list entry.
pub fn issue_notice(
    creds: &Credentials,
    permit: &Permit,
    employer: &Employer,
    notice_id: String,
    now: DateTime<Utc>,
) -> Notice {
    let end = (permit.valid_to + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists");
    let validity = Validity {
        iat: now.timestamp(),
        exp: end.and_utc().timestamp(),
    };
    let status = permit.status_index.map(|idx| StatusRef {
        uri: creds.status_uri(),
        idx,
    });
    let issued = creds.issuer.notice(
        permit_facts(permit, employer),
        notice_id.clone(),
        validity,
        status,
    );
    Notice {
        notice_id,
        qr: issued.qr,
        issued_at: now,
    }
}
