//! Registration: name + permit number (or SSN, or the Notice QR), checked
//! against the permit record. Every refusal is the same `Refused`, so an
//! answer never tells which part was wrong or whether a number exists.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::PassportName;
use crate::permits::permit::{Permit, PermitNumber, PermitStatus};

/// How long a registration waits for its real-person check.
pub const REGISTRATION_MINUTES: i64 = 30;

/// One refusal for every reason (unknown number, wrong name, ineligible permit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

/// The real-name check: the name is the permit's spelling after normalisation,
/// and the permit may carry an e-card (valid, or suspended: the holder sees the
/// state; cancelled, revoked or expired may not register).
pub fn may_register(permit: &Permit, name: &PassportName) -> Result<(), Refused> {
    let eligible = matches!(permit.status, PermitStatus::Valid | PermitStatus::Suspended);
    if eligible && permit.holder_name == *name {
        Ok(())
    } else {
        Err(Refused)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    AwaitingRealPerson,
    Completed,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingRealPerson => "awaiting_real_person",
            Self::Completed => "completed",
        }
    }
}

/// What passing the real-person step does: open a holder account, or set a
/// new password on the existing one (a reset needs a fresh real-person check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationPurpose {
    Register,
    ResetPassword,
}

impl RegistrationPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::ResetPassword => "reset_password",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    pub id: String,
    pub permit_number: PermitNumber,
    pub purpose: RegistrationPurpose,
    pub status: RegistrationStatus,
    /// The chosen password's hash (never the password), applied on success.
    pub password_hash: String,
    /// The page language the holder chose (`zh` or `en`).
    pub lang: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Registration {
    pub fn new(
        id: String,
        permit_number: PermitNumber,
        purpose: RegistrationPurpose,
        password_hash: String,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            permit_number,
            purpose,
            status: RegistrationStatus::AwaitingRealPerson,
            password_hash,
            lang: "zh".into(),
            created_at: now,
            expires_at: now + Duration::minutes(REGISTRATION_MINUTES),
        }
    }

    /// Whether the real-person step may still be tried at `now`.
    pub fn open_at(&self, now: DateTime<Utc>) -> bool {
        self.status == RegistrationStatus::AwaitingRealPerson && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::permit;

    fn name(s: &str) -> PassportName {
        PassportName::parse(s).unwrap()
    }

    #[test]
    fn the_name_must_be_the_permit_spelling_after_normalisation() {
        let p = permit();
        assert_eq!(may_register(&p, &name("anno   bernhard dederichs")), Ok(()));
        assert_eq!(may_register(&p, &name("ANNO DEDERICHS")), Err(Refused));
    }

    #[test]
    fn valid_and_suspended_permits_register_ended_ones_do_not() {
        let n = name("ANNO BERNHARD DEDERICHS");
        for (status, ok) in [
            (PermitStatus::Valid, true),
            (PermitStatus::Suspended, true),
            (PermitStatus::Cancelled, false),
            (PermitStatus::Revoked, false),
            (PermitStatus::Expired, false),
        ] {
            let mut p = permit();
            p.status = status;
            assert_eq!(may_register(&p, &n).is_ok(), ok, "{status:?}");
        }
    }

    #[test]
    fn a_registration_waits_thirty_minutes() {
        let now = Utc::now();
        let r = Registration::new(
            "r1".into(),
            permit().permit_number,
            RegistrationPurpose::Register,
            "hash".into(),
            now,
        );
        assert!(r.open_at(now + Duration::minutes(29)));
        assert!(!r.open_at(now + Duration::minutes(30)));
        let done = Registration {
            status: RegistrationStatus::Completed,
            ..r
        };
        assert!(!done.open_at(now));
    }
}
