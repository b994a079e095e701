//! Work permits: the record an approval creates or changes, its validity, the
//! 30-day on-site check, and the migration from physical to electronic.

pub mod eligibility;
mod events;
pub mod legacy;
mod number;
pub mod onsite;
mod terms;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use events::events_of_change;
pub use number::PermitNumber;
pub use onsite::OnsiteCheck;
pub use terms::{PermitTerms, ValidityCaps, grant_terms};

use crate::ids::{Nationality, PassportName, RegionCode};
use crate::permits::application::form::{Position, Sex};
use crate::permits::application::{ApplicationKind, PassportNumber};
use crate::permits::scoring::WorkerClass;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitStatus {
    Valid,
    /// The 30-day on-site check was missed (design: suspended, then revoked).
    Suspended,
    Expired,
    Cancelled,
    Revoked,
}

impl PermitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Suspended => "suspended",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Valid,
            Self::Suspended,
            Self::Expired,
            Self::Cancelled,
            Self::Revoked,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Cancelled, revoked and expired permits never become valid again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Expired | Self::Cancelled | Self::Revoked)
    }
}

/// Where the permit lives. Holders of an old physical permit keep it until they
/// extend or change it ("no change, no replacement"), or renew it as electronic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermitMedium {
    Physical,
    Electronic,
}

/// The medium a permit has after an approved application of `kind`.
pub fn medium_after(kind: ApplicationKind, current: PermitMedium) -> PermitMedium {
    match kind {
        ApplicationKind::Extension | ApplicationKind::Change | ApplicationKind::RenewElectronic => {
            PermitMedium::Electronic
        }
        _ => current,
    }
}

/// The permit record: the one source of the permit information shown everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permit {
    pub permit_number: PermitNumber,
    pub employer_id: String,
    pub region_code: RegionCode,
    pub holder_name: PassportName,
    pub nationality: Nationality,
    pub sex: Sex,
    pub date_of_birth: NaiveDate,
    pub passport_number: PassportNumber,
    pub class: WorkerClass,
    pub position: Position,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub status: PermitStatus,
    pub medium: PermitMedium,
    pub onsite: OnsiteCheck,
    pub application_id: String,
    pub issued_at: DateTime<Utc>,
    /// This period's entry in the status list; every credential built on the
    /// permit points at it. Assigned on approval.
    #[serde(default)]
    pub status_index: Option<u32>,
    /// Optimistic concurrency: 0 until first stored, bumped on every write.
    pub version: i64,
}

impl Permit {
    /// The status the permit should have on `today`, if it differs from the stored
    /// one: expiry, and suspension or revocation for a missed on-site check.
    pub fn status_due(&self, today: NaiveDate) -> Option<PermitStatus> {
        if self.status.is_terminal() {
            return None;
        }
        let due = if today > self.valid_to {
            PermitStatus::Expired
        } else {
            onsite::status_for(&self.onsite, today).unwrap_or(self.status)
        };
        (due != self.status).then_some(due)
    }
}

#[cfg(test)]
mod tests;
