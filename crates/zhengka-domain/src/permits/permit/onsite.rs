//! The on-site check: within 30 days of entry, class B and C holders from abroad
//! bring their original materials to the window. Missing it suspends the permit
//! and, after a grace period (design), revokes it.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::PermitStatus;
use crate::permits::application::form::MaterialKind;
use crate::permits::application::{ApplicationKind, BoundedText};
use crate::permits::scoring::WorkerClass;
use crate::{FieldError, RuleError};

pub const WINDOW_DAYS: u64 = 30;
/// Design: days after the missed deadline before a suspended permit is revoked.
pub const REVOCATION_GRACE_DAYS: u64 = 30;
/// The medical report must have been issued within 6 months of the check.
pub const MEDICAL_REPORT_MONTHS: u32 = 6;
/// What the officer must have seen in the original.
pub const REQUIRED_MATERIALS: [MaterialKind; 2] = [
    MaterialKind::VisaOrResidencePermitCopy,
    MaterialKind::MedicalReport,
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OnsiteCheck {
    NotRequired,
    /// Approved abroad; the 30 days start at entry.
    AwaitingEntry,
    Due {
        entry_date: NaiveDate,
        due_by: NaiveDate,
    },
    Done {
        entry_date: NaiveDate,
        checked_on: NaiveDate,
        late: bool,
        decision_number: String,
    },
}

/// Whether an approval of `kind` for `class` needs the on-site check.
pub fn required(kind: ApplicationKind, class: WorkerClass) -> OnsiteCheck {
    let from_abroad = matches!(
        kind,
        ApplicationKind::NewFromAbroad | ApplicationKind::ReissueNotice
    );
    if from_abroad && class != WorkerClass::A {
        OnsiteCheck::AwaitingEntry
    } else {
        OnsiteCheck::NotRequired
    }
}

pub fn due_by(entry_date: NaiveDate) -> NaiveDate {
    entry_date + Days::new(WINDOW_DAYS)
}

/// The holder has entered China: the 30 days start. An entry is a fact
/// between the approval (`approved_on`: the work visa needs the Notice) and
/// today.
pub fn record_entry(
    check: &OnsiteCheck,
    entry_date: NaiveDate,
    approved_on: NaiveDate,
    today: NaiveDate,
) -> Result<OnsiteCheck, RuleError> {
    entry_between(entry_date, approved_on, today)?;
    match check {
        OnsiteCheck::AwaitingEntry => Ok(OnsiteCheck::Due {
            entry_date,
            due_by: due_by(entry_date),
        }),
        _ => Err(RuleError::conflict(
            "entry_already_recorded",
            "entry was already recorded, or no on-site check is needed",
        )),
    }
}

/// The permit status a missed deadline calls for on `today`, if any.
pub fn status_for(check: &OnsiteCheck, today: NaiveDate) -> Option<PermitStatus> {
    let OnsiteCheck::Due { due_by, .. } = check else {
        return None;
    };
    if today > *due_by + Days::new(REVOCATION_GRACE_DAYS) {
        Some(PermitStatus::Revoked)
    } else if today > *due_by {
        Some(PermitStatus::Suspended)
    } else {
        None
    }
}

/// What the officer records at the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnsiteCheckInput {
    pub entry_date: NaiveDate,
    pub visa_number: BoundedText<4, 30>,
    pub medical_report_issued_on: NaiveDate,
    pub materials_checked: Vec<MaterialKind>,
}

/// Record the check of originals. A holder suspended for lateness is reinstated;
/// the check is marked late so the record tells the truth.
pub fn record_check(
    check: &OnsiteCheck,
    status: PermitStatus,
    input: &OnsiteCheckInput,
    approved_on: NaiveDate,
    today: NaiveDate,
    decision_number: String,
) -> Result<(OnsiteCheck, PermitStatus), RuleError> {
    match check {
        OnsiteCheck::AwaitingEntry | OnsiteCheck::Due { .. } => {}
        OnsiteCheck::NotRequired => {
            return Err(RuleError::conflict(
                "onsite_check_not_required",
                "this permit needs no on-site check",
            ));
        }
        OnsiteCheck::Done { .. } => {
            return Err(RuleError::conflict(
                "onsite_check_already_done",
                "the on-site check was already recorded",
            ));
        }
    }
    if !matches!(status, PermitStatus::Valid | PermitStatus::Suspended) {
        return Err(RuleError::conflict(
            "permit_not_active",
            format!("the permit is {}", status.as_str()),
        ));
    }
    check_input(input, approved_on, today)?;
    let late = today > due_by(input.entry_date);
    let done = OnsiteCheck::Done {
        entry_date: input.entry_date,
        checked_on: today,
        late,
        decision_number,
    };
    Ok((done, PermitStatus::Valid))
}

fn entry_between(
    entry_date: NaiveDate,
    approved_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if entry_date > today {
        return Err(FieldError::new(
            "entry_date",
            "date_in_future",
            "entry is in the future",
        ));
    }
    if entry_date < approved_on {
        return Err(FieldError::new(
            "entry_date",
            "entry_before_approval",
            format!("the entry cannot be before the approval on {approved_on}"),
        ));
    }
    Ok(())
}

/// The facts of the check: entry after the approval, a medical report of
/// the last 6 months before the check (today), the originals seen.
fn check_input(
    input: &OnsiteCheckInput,
    approved_on: NaiveDate,
    today: NaiveDate,
) -> Result<(), FieldError> {
    entry_between(input.entry_date, approved_on, today)?;
    if input.medical_report_issued_on > today {
        return Err(FieldError::new(
            "medical_report_issued_on",
            "date_in_future",
            "the medical report cannot be issued in the future",
        ));
    }
    let oldest = today - Months::new(MEDICAL_REPORT_MONTHS);
    if input.medical_report_issued_on < oldest {
        return Err(FieldError::new(
            "medical_report_issued_on",
            "medical_report_too_old",
            "the medical report must be issued within the last 6 months",
        ));
    }
    for needed in REQUIRED_MATERIALS {
        if !input.materials_checked.contains(&needed) {
            return Err(FieldError::new(
                "materials_checked",
                "materials_missing",
                "the visa or residence permit copy and the medical report must be checked",
            ));
        }
    }
    Ok(())
}
