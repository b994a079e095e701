//! What an account looks like to each caller: the SSN in full for social
//! security and card officers (and later the holder), masked for employers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhengka_domain::employer::Role;
use zhengka_domain::social_security::{
    Account, EndReason, Exclusion, Insurance, RegistrationDue, SocialSecurityPolicy,
    registration_due,
};

#[derive(Serialize)]
pub struct AccountView<'a> {
    pub id: &'a str,
    pub ssn: String,
    pub ssn_masked: bool,
    pub permit_number: &'a str,
    pub holder_name: &'a str,
    pub employer_id: &'a str,
    pub region_code: &'a str,
    pub insurances: &'a [Insurance],
    pub excluded: &'a [Exclusion],
    pub over_age: bool,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<EndedView>,
    pub opened_at: DateTime<Utc>,
}

#[derive(Serialize)]
pub struct EndedView {
    pub reason: EndReason,
    pub on: NaiveDate,
}

/// Who may read an SSN in full (PIPL art. 28: need to know).
pub fn sees_full_ssn(role: Role) -> bool {
    matches!(
        role,
        Role::SocialSecurityOfficer | Role::CardOfficer | Role::Foreigner
    )
}

impl<'a> AccountView<'a> {
    pub fn of(a: &'a Account, role: Role) -> Self {
        let full = sees_full_ssn(role);
        Self {
            id: &a.id,
            ssn: if full {
                a.ssn.expose().to_owned()
            } else {
                a.ssn.masked()
            },
            ssn_masked: !full,
            permit_number: a.permit_number.as_str(),
            holder_name: a.holder_name.as_str(),
            employer_id: &a.employer_id,
            region_code: a.region_code.as_str(),
            insurances: &a.insurances,
            excluded: &a.excluded,
            over_age: a.over_age,
            status: if a.ended.is_some() { "ended" } else { "open" },
            ended: a.ended.as_ref().map(|e| EndedView {
                reason: e.reason,
                on: e.on,
            }),
            opened_at: a.opened_at,
        }
    }
}

/// One line of the 30-day registration queue: a valid permit without account.
#[derive(Serialize)]
pub struct DueView {
    pub permit_number: String,
    pub holder_name: String,
    pub employer_id: String,
    pub valid_from: NaiveDate,
    #[serde(flatten)]
    pub due: RegistrationDue,
}

pub fn due_view(
    p: &zhengka_domain::permits::permit::Permit,
    policy: &SocialSecurityPolicy,
    today: NaiveDate,
) -> DueView {
    DueView {
        permit_number: p.permit_number.to_string(),
        holder_name: p.holder_name.as_str().to_owned(),
        employer_id: p.employer_id.clone(),
        valid_from: p.valid_from,
        due: registration_due(p.valid_from, policy, today),
    }
}
