//! Rules that need the permit an application acts on, and what an approval does
//! to the permit record.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::{Permit, PermitMedium, PermitNumber, PermitStatus, grant_terms, medium_after, onsite};
use crate::ids::RegionCode;
use crate::permits::application::{ApplicationForm, ApplicationKind};
use crate::permits::scoring::WorkerClass;
use crate::policy::Policy;
use crate::{FieldError, RuleError};

/// May `form` be filed against `permit` on `today`?
pub fn check_existing_permit(
    form: &ApplicationForm,
    permit: &Permit,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if permit.status.is_terminal() || today > permit.valid_to {
        return Err(FieldError::new(
            "permit_number",
            "permit_not_active",
            format!(
                "the permit is {}; apply for a new permit instead",
                permit.status_due(today).unwrap_or(permit.status).as_str()
            ),
        ));
    }
    match form.kind {
        ApplicationKind::Extension => check_extension(form, permit),
        ApplicationKind::Change if permit.status == PermitStatus::Suspended => {
            Err(FieldError::new(
                "permit_number",
                "permit_suspended",
                "the permit is suspended",
            ))
        }
        ApplicationKind::RenewElectronic if permit.medium == PermitMedium::Electronic => {
            Err(FieldError::new(
                "permit_number",
                "already_electronic",
                "the permit is already on the electronic card",
            ))
        }
        _ => Ok(()),
    }
}

fn check_extension(form: &ApplicationForm, permit: &Permit) -> Result<(), FieldError> {
    match &form.contract {
        Some(c) if c.end_date <= permit.valid_to => Err(FieldError::new(
            "contract.end_date",
            "extension_does_not_extend",
            "the new contract must end after the current permit",
        )),
        _ => Ok(()),
    }
}

/// Everything an approval needs to know besides the form.
pub struct Approval<'a> {
    pub application_id: &'a str,
    pub employer_id: &'a str,
    pub region_code: &'a RegionCode,
    pub class: WorkerClass,
    pub policy: &'a Policy,
    pub now: DateTime<Utc>,
}

/// The new permit an approved `new_from_abroad`, `short_term` or `reissue_notice`
/// creates. `number` is the holder's lifetime number (reused if they had one).
pub fn new_permit(
    form: &ApplicationForm,
    number: PermitNumber,
    a: &Approval<'_>,
) -> Result<Permit, RuleError> {
    let (Some(foreigner), Some(position), Some(contract)) =
        (&form.foreigner, &form.position, &form.contract)
    else {
        return Err(RuleError::conflict(
            "form_incomplete",
            "this kind of application does not create a permit",
        ));
    };
    let today = a.now.date_naive();
    let terms = grant_terms(contract, a.class, &a.policy.validity_caps, today)?;
    Ok(Permit {
        permit_number: number,
        employer_id: a.employer_id.to_owned(),
        region_code: a.region_code.clone(),
        holder_name: foreigner.name.clone(),
        nationality: foreigner.nationality.clone(),
        sex: foreigner.sex,
        date_of_birth: foreigner.date_of_birth,
        passport_number: foreigner.passport_number.clone(),
        class: a.class,
        position: position.clone(),
        valid_from: terms.valid_from,
        valid_to: terms.valid_to,
        status: PermitStatus::Valid,
        medium: PermitMedium::Electronic,
        onsite: onsite::required(form.kind, a.class),
        application_id: a.application_id.to_owned(),
        issued_at: a.now,
        status_index: None,
        version: 0,
    })
}

/// What an approved application on an existing permit does to it.
pub fn apply_to_existing(
    form: &ApplicationForm,
    mut permit: Permit,
    a: &Approval<'_>,
) -> Result<Permit, RuleError> {
    let today = a.now.date_naive();
    match form.kind {
        ApplicationKind::Extension => {
            let contract = form
                .contract
                .as_ref()
                .ok_or(FieldError::required("contract"))?;
            let earliest = (permit.valid_to + Days::new(1)).max(today);
            let terms = grant_terms(contract, a.class, &a.policy.validity_caps, earliest)?;
            permit.valid_to = terms.valid_to;
            permit.class = a.class;
            if let Some(position) = &form.position {
                permit.position = position.clone();
            }
        }
        ApplicationKind::Change => {
            let change = form.change.as_ref().ok_or(FieldError::required("change"))?;
            if let Some(p) = &change.new_position {
                permit.position = p.clone();
            }
            if let Some(n) = &change.new_name {
                permit.holder_name = n.clone();
            }
            if let Some(p) = &change.new_passport_number {
                permit.passport_number = p.clone();
            }
        }
        ApplicationKind::Cancellation => permit.status = PermitStatus::Cancelled,
        ApplicationKind::RenewElectronic => {}
        _ => {
            return Err(RuleError::conflict(
                "no_existing_permit",
                "this kind of application creates a new permit",
            ));
        }
    }
    permit.medium = medium_after(form.kind, permit.medium);
    permit.application_id = a.application_id.to_owned();
    Ok(permit)
}
