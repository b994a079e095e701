//! Employers (用人单位) and the people who act for them or for an agency.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{RegionCode, Uscc};
use crate::permits::application::BoundedText;

pub type EmployerName = BoundedText<1, 200>;
pub type Address = BoundedText<1, 300>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employer {
    pub id: String,
    pub uscc: Uscc,
    pub name: EmployerName,
    pub region_code: RegionCode,
    pub address: Address,
    pub created_at: DateTime<Utc>,
}

/// Who a user is to the system. One role per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    EmployerAgent,
    Foreigner,
    PermitOfficer,
    SocialSecurityOfficer,
    CardOfficer,
    PoliceOfficer,
    RelyingParty,
    Admin,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Self::EmployerAgent,
        Self::Foreigner,
        Self::PermitOfficer,
        Self::SocialSecurityOfficer,
        Self::CardOfficer,
        Self::PoliceOfficer,
        Self::RelyingParty,
        Self::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmployerAgent => "employer_agent",
            Self::Foreigner => "foreigner",
            Self::PermitOfficer => "permit_officer",
            Self::SocialSecurityOfficer => "social_security_officer",
            Self::CardOfficer => "card_officer",
            Self::PoliceOfficer => "police_officer",
            Self::RelyingParty => "relying_party",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Officers of an agency work within a region.
    pub fn needs_region(self) -> bool {
        matches!(
            self,
            Self::PermitOfficer
                | Self::SocialSecurityOfficer
                | Self::CardOfficer
                | Self::PoliceOfficer
        )
    }

    /// Employer agents act for exactly one employer.
    pub fn needs_employer(self) -> bool {
        self == Self::EmployerAgent
    }
}

/// A user account, without its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub employer_id: Option<String>,
    pub region_code: Option<RegionCode>,
    pub created_at: DateTime<Utc>,
}

/// A username: 3 to 64 of lower-case letters, digits, `.`, `_`, `-`, `@`.
pub fn parse_username(raw: &str) -> Result<String, crate::InvalidValue> {
    let s = raw.trim().to_ascii_lowercase();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@".contains(c);
    if !(3..=64).contains(&s.len()) || !s.chars().all(ok_char) {
        return Err(crate::InvalidValue::new(
            "invalid_username",
            "3 to 64 characters: letters, digits, '.', '_', '-', '@'",
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_scope() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert!(Role::PermitOfficer.needs_region());
        assert!(!Role::Admin.needs_region());
        assert!(Role::EmployerAgent.needs_employer());
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" HR.Li@acme ").unwrap(), "hr.li@acme");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("a b c").is_err());
    }
}
