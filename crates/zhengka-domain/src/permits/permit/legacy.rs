//! Permits issued before the integration, on a physical card. They are recorded
//! as they are ("no change, no replacement") and move to the electronic card on
//! extension, change, or a `renew_electronic` application.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{OnsiteCheck, Permit, PermitMedium, PermitNumber, PermitStatus};
use crate::FieldError;
use crate::ids::RegionCode;
use crate::permits::application::form::{Foreigner, Position};
use crate::permits::scoring::WorkerClass;

/// What an officer copies from an existing physical permit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyPermit {
    pub employer_id: String,
    pub permit_number: PermitNumber,
    pub foreigner: Foreigner,
    pub class: WorkerClass,
    pub position: Position,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// The permit record for an existing physical permit, as of `now`.
pub fn register(
    input: LegacyPermit,
    region_code: RegionCode,
    now: DateTime<Utc>,
) -> Result<Permit, FieldError> {
    if input.valid_to < input.valid_from {
        return Err(FieldError::new(
            "valid_to",
            "end_before_start",
            "the permit ends before it starts",
        ));
    }
    if input.valid_to < now.date_naive() {
        return Err(FieldError::new(
            "valid_to",
            "permit_expired",
            "an expired permit is not carried over; apply for a new one",
        ));
    }
    if input.foreigner.nationality.is_china() {
        return Err(FieldError::new(
            "foreigner.nationality",
            "not_a_foreigner",
            "a Chinese national holds no work permit",
        ));
    }
    Ok(Permit {
        permit_number: input.permit_number,
        employer_id: input.employer_id,
        region_code,
        holder_name: input.foreigner.name,
        nationality: input.foreigner.nationality,
        sex: input.foreigner.sex,
        date_of_birth: input.foreigner.date_of_birth,
        passport_number: input.foreigner.passport_number,
        class: input.class,
        position: input.position,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        status: PermitStatus::Valid,
        medium: PermitMedium::Physical,
        onsite: OnsiteCheck::NotRequired,
        application_id: String::new(),
        issued_at: now,
        status_index: None,
        version: 0,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::permits::application::validate::tests as forms;

    fn input(from: &str, to: &str) -> LegacyPermit {
        LegacyPermit {
            employer_id: "e1".into(),
            permit_number: PermitNumber::parse("440100201900012345").unwrap(),
            foreigner: forms::foreigner(),
            class: WorkerClass::B,
            position: Position::parse("Engineer").unwrap(),
            valid_from: from.parse().unwrap(),
            valid_to: to.parse().unwrap(),
        }
    }

    #[test]
    fn a_physical_permit_is_recorded_as_it_is() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
        let region = RegionCode::parse("440100").unwrap();
        let p = register(input("2025-01-01", "2027-01-01"), region.clone(), now).unwrap();
        assert_eq!(
            (p.medium, p.status, p.onsite.clone()),
            (
                PermitMedium::Physical,
                PermitStatus::Valid,
                OnsiteCheck::NotRequired
            )
        );
        let e = register(input("2024-01-01", "2026-11-23"), region.clone(), now).unwrap_err();
        assert_eq!(e.error.code, "permit_expired");
        let e = register(input("2027-01-02", "2027-01-01"), region, now).unwrap_err();
        assert_eq!(e.error.code, "end_before_start");
    }
}
