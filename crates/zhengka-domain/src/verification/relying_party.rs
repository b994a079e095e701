//! Relying parties: the organisations that verify cards (hospitals, transit
//! operators, museums, libraries, banks, employers, government halls), the
//! purposes each is registered for, and their API credentials. Police hold
//! their purposes by role, never through a registration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Sector;
use crate::InvalidValue;
use crate::ids::RegionCode;

/// What a verifier states it checks a card for; the answer discloses that
/// purpose's fields only (VERIFICATION.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationPurpose {
    ResidencePermit,
    Inspection,
    EmployerRightToWork,
    Healthcare,
    Pharmacy,
    Transit,
    CultureVenue,
    Library,
    Bank,
    GovernmentService,
}

impl VerificationPurpose {
    pub const ALL: [Self; 10] = [
        Self::ResidencePermit,
        Self::Inspection,
        Self::EmployerRightToWork,
        Self::Healthcare,
        Self::Pharmacy,
        Self::Transit,
        Self::CultureVenue,
        Self::Library,
        Self::Bank,
        Self::GovernmentService,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResidencePermit => "residence_permit",
            Self::Inspection => "inspection",
            Self::EmployerRightToWork => "employer_right_to_work",
            Self::Healthcare => "healthcare",
            Self::Pharmacy => "pharmacy",
            Self::Transit => "transit",
            Self::CultureVenue => "culture_venue",
            Self::Library => "library",
            Self::Bank => "bank",
            Self::GovernmentService => "government_service",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| InvalidValue::new("unknown_purpose", "not a verification purpose"))
    }

    /// The police's purposes: held by the role, never registered.
    pub fn police_only(self) -> bool {
        matches!(self, Self::ResidencePermit | Self::Inspection)
    }
}

/// The sector of an organisation: a service sector, or an employer checking
/// a right to work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationSector {
    Service(Sector),
    Employer,
}

impl OrganisationSector {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Service(s) => s.as_str(),
            Self::Employer => "employer",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if s.trim() == "employer" {
            return Ok(Self::Employer);
        }
        Sector::parse(s).map(Self::Service).map_err(|_| {
            InvalidValue::new(
                "unknown_sector",
                "sector is employer or a service sector (government_affairs, transport, culture_tourism, finance, healthcare, library)",
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub sector: String,
    pub region_code: RegionCode,
    pub purposes: Vec<VerificationPurpose>,
    pub rate_limit_per_minute: u32,
    pub created_at: DateTime<Utc>,
}

/// An organisation as the admin registers it (unchecked).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    pub name: String,
    pub sector: String,
    pub region_code: String,
    pub purposes: Vec<String>,
    #[serde(default = "default_rate")]
    pub rate_limit_per_minute: u32,
}

fn default_rate() -> u32 {
    600
}

/// Check an organisation: a name, a known sector and region, one or more
/// registrable purposes (no duplicates, none of the police's), a rate limit
/// of 1 to 100,000 per minute. The first error, with its field.
pub fn check_organisation(
    input: &OrganisationInput,
    id: String,
    now: DateTime<Utc>,
) -> Result<Organisation, (&'static str, InvalidValue)> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 150 {
        return Err((
            "name",
            InvalidValue::new("invalid_organisation_name", "1 to 150 characters"),
        ));
    }
    let sector = OrganisationSector::parse(&input.sector).map_err(|e| ("sector", e))?;
    let region_code = RegionCode::parse(&input.region_code).map_err(|e| ("region_code", e))?;
    if input.purposes.is_empty() {
        return Err((
            "purposes",
            InvalidValue::new("no_purposes", "register at least one purpose"),
        ));
    }
    let mut purposes = Vec::new();
    for p in &input.purposes {
        let p = VerificationPurpose::parse(p).map_err(|e| ("purposes", e))?;
        if p.police_only() {
            return Err((
                "purposes",
                InvalidValue::new(
                    "police_only_purpose",
                    "residence_permit and inspection belong to the police",
                ),
            ));
        }
        if !purposes.contains(&p) {
            purposes.push(p);
        }
    }
    if !(1..=100_000).contains(&input.rate_limit_per_minute) {
        return Err((
            "rate_limit_per_minute",
            InvalidValue::new("out_of_range", "1 to 100,000 per minute"),
        ));
    }
    Ok(Organisation {
        id,
        name,
        sector: sector.as_str().to_owned(),
        region_code,
        purposes,
        rate_limit_per_minute: input.rate_limit_per_minute,
        created_at: now,
    })
}

/// An API credential of an organisation; its secret is shown once and kept
/// as a hash only. Used as `Authorization: Bearer zkrp_<id>_<secret>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCredential {
    pub id: String,
    pub organisation_id: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The parts of a presented `zkrp_<id>_<secret>` token, or `None` when it is
/// not one (a session token, say).
pub fn parse_api_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix("zkrp_")?;
    let (id, secret) = rest.split_once('_')?;
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    (id.len() == 16 && secret.len() == 64 && hex(id) && hex(secret)).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(purposes: &[&str]) -> OrganisationInput {
        OrganisationInput {
            name: "Guangzhou First People's Hospital".into(),
            sector: "healthcare".into(),
            region_code: "440100".into(),
            purposes: purposes.iter().map(|p| p.to_string()).collect(),
            rate_limit_per_minute: 600,
        }
    }

    #[test]
    fn an_organisation_registers_its_purposes_but_not_the_polices() {
        let now = Utc::now();
        let o = check_organisation(
            &input(&["healthcare", "pharmacy", "healthcare"]),
            "o1".into(),
            now,
        )
        .unwrap();
        assert_eq!(
            o.purposes,
            vec![
                VerificationPurpose::Healthcare,
                VerificationPurpose::Pharmacy
            ]
        );
        let e = check_organisation(&input(&["inspection"]), "o1".into(), now).unwrap_err();
        assert_eq!((e.0, e.1.code), ("purposes", "police_only_purpose"));
        let e = check_organisation(&input(&[]), "o1".into(), now).unwrap_err();
        assert_eq!(e.1.code, "no_purposes");
        let e = check_organisation(&input(&["teleport"]), "o1".into(), now).unwrap_err();
        assert_eq!(e.1.code, "unknown_purpose");
    }

    #[test]
    fn api_tokens_have_one_shape() {
        let id = "0123456789abcdef";
        let secret = "a".repeat(64);
        let token = format!("zkrp_{id}_{secret}");
        assert_eq!(parse_api_token(&token), Some((id, secret.as_str())));
        assert_eq!(parse_api_token("0123"), None);
        assert_eq!(parse_api_token(&format!("zkrp_{id}_short")), None);
    }

    proptest! {
        #[test]
        fn no_token_panics(t in "\\PC{0,120}") {
            let _ = parse_api_token(&t);
        }
    }
}
