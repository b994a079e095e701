//! A social security account and the rules that open it and end its
//! insurances. The permit is read through the permits context's published
//! facts (`PermitFacts`), never typed again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Exclusion, ExclusionReason, Insurance, InsuranceKind, InsuranceStatus, SocialSecurityPolicy,
    Ssn,
};
use crate::ids::{PassportName, RegionCode};
use crate::permits::application::form::Sex;
use crate::permits::permit::{Permit, PermitNumber, PermitStatus};
use crate::{FieldError, RuleError};

/// Why an account's insurances ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    PermitCancelled,
    PermitRevoked,
    PermitExpired,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PermitCancelled => "permit_cancelled",
            Self::PermitRevoked => "permit_revoked",
            Self::PermitExpired => "permit_expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub ssn: Ssn,
    pub permit_number: PermitNumber,
    pub holder_name: PassportName,
    pub sex: Sex,
    pub date_of_birth: NaiveDate,
    pub employer_id: String,
    pub region_code: RegionCode,
    pub insurances: Vec<Insurance>,
    pub excluded: Vec<Exclusion>,
    pub over_age: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<Ended>,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub reason: EndReason,
    pub on: NaiveDate,
    /// The outbox event that ended it (handlers are keyed by it).
    pub event_id: String,
}

/// What the officer or employer asks for.
#[derive(Debug, Clone)]
pub struct EnrolmentRequest {
    pub name: PassportName,
    /// Empty means all five.
    pub insurances: Vec<InsuranceKind>,
    pub start_date: NaiveDate,
}

/// Open an account for the holder of `permit`: the permit must be valid, the
/// name must be the permit's spelling, the start date inside the permit, and
/// every compulsory insurance is opened unless the holder is over age.
pub fn open_account(
    permit: &Permit,
    req: &EnrolmentRequest,
    policy: &SocialSecurityPolicy,
    opened: (String, DateTime<Utc>, Ssn, String),
) -> Result<Account, RuleError> {
    let (id, now, ssn, actor) = opened;
    if permit.status != PermitStatus::Valid {
        return Err(RuleError::conflict(
            "permit_not_valid",
            format!(
                "the permit is {}; only a valid permit can be enrolled",
                permit.status.as_str()
            ),
        ));
    }
    if req.name != permit.holder_name {
        return Err(FieldError::new(
            "name",
            "name_mismatch",
            "the name does not match the permit's spelling",
        )
        .into());
    }
    if req.start_date < permit.valid_from || req.start_date > permit.valid_to {
        return Err(FieldError::new(
            "start_date",
            "start_date_outside_permit",
            "insurance starts within the permit's validity",
        )
        .into());
    }
    let requested = requested_kinds(&req.insurances)?;
    let over_age = policy.is_over_age(permit.sex, permit.date_of_birth, req.start_date);
    let (insurances, excluded) = split_by_age(&requested, over_age, policy, req.start_date);
    Ok(Account {
        id,
        ssn,
        permit_number: permit.permit_number.clone(),
        holder_name: permit.holder_name.clone(),
        sex: permit.sex,
        date_of_birth: permit.date_of_birth,
        employer_id: permit.employer_id.clone(),
        region_code: permit.region_code.clone(),
        insurances,
        excluded,
        over_age,
        ended: None,
        opened_at: now,
        opened_by: actor,
        version: 0,
    })
}

/// All five are compulsory: a list, if given, names each once and all of them.
fn requested_kinds(kinds: &[InsuranceKind]) -> Result<Vec<InsuranceKind>, RuleError> {
    if kinds.is_empty() {
        return Ok(InsuranceKind::ALL.to_vec());
    }
    let mut sorted = kinds.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != kinds.len() {
        return Err(
            FieldError::new("insurances", "duplicate_insurance", "each insurance once").into(),
        );
    }
    if sorted.len() != InsuranceKind::ALL.len() {
        return Err(FieldError::new(
            "insurances",
            "insurance_compulsory",
            "all five insurances are compulsory for employed foreigners (over-age exclusions are applied by the system)",
        )
        .into());
    }
    Ok(sorted)
}

fn split_by_age(
    kinds: &[InsuranceKind],
    over_age: bool,
    policy: &SocialSecurityPolicy,
    start: NaiveDate,
) -> (Vec<Insurance>, Vec<Exclusion>) {
    let (out, open): (Vec<_>, Vec<_>) = kinds
        .iter()
        .partition(|k| over_age && policy.over_age_excluded.contains(k));
    let insurances = open
        .into_iter()
        .map(|&kind| Insurance {
            kind,
            start_date: start,
            end_date: None,
            status: InsuranceStatus::Active,
        })
        .collect();
    let excluded = out
        .into_iter()
        .map(|&kind| Exclusion {
            kind,
            reason: ExclusionReason::OverAge,
        })
        .collect();
    (insurances, excluded)
}

impl Account {
    /// End every active insurance on `on` (not before its start) because the
    /// permit ended. Returns false, changing nothing, if this event was
    /// already applied or the account has already ended.
    pub fn end_insurances(&mut self, reason: EndReason, on: NaiveDate, event_id: &str) -> bool {
        if self.ended.is_some() {
            return false;
        }
        for i in self
            .insurances
            .iter_mut()
            .filter(|i| i.status == InsuranceStatus::Active)
        {
            i.status = InsuranceStatus::Ended;
            i.end_date = Some(on.max(i.start_date));
        }
        self.ended = Some(Ended {
            reason,
            on,
            event_id: event_id.to_owned(),
        });
        true
    }
}

/// The employer's limit to register a foreign employee, and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RegistrationDue {
    pub due_on: NaiveDate,
    /// Negative once past.
    pub days_left: i64,
    pub overdue: bool,
}

pub fn registration_due(
    permit_start: NaiveDate,
    policy: &SocialSecurityPolicy,
    today: NaiveDate,
) -> RegistrationDue {
    let due_on = permit_start + chrono::Days::new(u64::from(policy.registration_days));
    let days_left = (due_on - today).num_days();
    RegistrationDue {
        due_on,
        days_left,
        overdue: days_left < 0,
    }
}
