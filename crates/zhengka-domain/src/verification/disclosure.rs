//! What a verification answer shows, per purpose (VERIFICATION.md's table):
//! exactly the purpose's fields, built from the facts each context publishes,
//! so that a gate learns no more than a gate needs. Where issue 10 and the
//! design notes differ (the transit gate also sees the photo reference, to
//! match the face at the gate), the issue stands.

use chrono::NaiveDate;
use serde::Serialize;

use super::VerificationPurpose;
use crate::cards::{Card, CardStatus};
use crate::permits::application::form::Sex;
use crate::permits::permit::onsite::OnsiteCheck;
use crate::permits::permit::{Permit, PermitStatus};
use crate::permits::scoring::WorkerClass;
use crate::social_security::{Account, InsuranceKind, InsuranceStatus, mask};

/// The facts a verification may draw on, read through each context's query.
pub struct Facts<'a> {
    pub permit: &'a Permit,
    pub employer_name: &'a str,
    pub employer_uscc: &'a str,
    pub account: Option<&'a Account>,
    pub card: Option<&'a Card>,
}

/// The disclosed fields; absent ones are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Disclosed {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holder_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passport_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_class: Option<WorkerClass>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employer_uscc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_status: Option<PermitStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onsite_check: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medical_insurance: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_status: Option<CardStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
}

fn onsite(c: &OnsiteCheck) -> &'static str {
    match c {
        OnsiteCheck::NotRequired => "not_required",
        OnsiteCheck::AwaitingEntry => "awaiting_entry",
        OnsiteCheck::Due { .. } => "due",
        OnsiteCheck::Done { .. } => "done",
    }
}

fn medical(a: Option<&Account>) -> &'static str {
    let active = a.is_some_and(|a| {
        a.insurances
            .iter()
            .any(|i| i.kind == InsuranceKind::Medical && i.status == InsuranceStatus::Active)
    });
    if active { "active" } else { "none" }
}

fn photo(f: &Facts<'_>) -> Option<String> {
    f.card.and_then(|c| c.elements.photo_ref.clone())
}

/// Exactly the fields `purpose` may see.
pub fn disclose(purpose: VerificationPurpose, f: &Facts<'_>) -> Disclosed {
    use VerificationPurpose::*;
    let p = f.permit;
    let name = Some(p.holder_name.as_str().to_owned());
    let validity = (Some(p.valid_from), Some(p.valid_to));
    match purpose {
        ResidencePermit => Disclosed {
            holder_name: name,
            nationality: Some(p.nationality.as_str().to_owned()),
            sex: Some(p.sex),
            date_of_birth: Some(p.date_of_birth),
            passport_number: Some(p.passport_number.expose().to_owned()),
            photo_ref: photo(f),
            permit_number: Some(p.permit_number.as_str().to_owned()),
            permit_class: Some(p.class),
            position: Some(p.position.as_str().to_owned()),
            employer_name: Some(f.employer_name.to_owned()),
            employer_uscc: Some(f.employer_uscc.to_owned()),
            valid_from: validity.0,
            valid_to: validity.1,
            permit_status: Some(p.status),
            onsite_check: Some(onsite(&p.onsite)),
            ..Disclosed::default()
        },
        Inspection => Disclosed {
            holder_name: name,
            nationality: Some(p.nationality.as_str().to_owned()),
            photo_ref: photo(f),
            permit_number: Some(p.permit_number.as_str().to_owned()),
            valid_from: validity.0,
            valid_to: validity.1,
            permit_status: Some(p.status),
            ..Disclosed::default()
        },
        EmployerRightToWork => Disclosed {
            holder_name: name,
            permit_class: Some(p.class),
            valid_from: validity.0,
            valid_to: validity.1,
            permit_status: Some(p.status),
            ..Disclosed::default()
        },
        Healthcare => Disclosed {
            holder_name: name,
            ssn: f.account.map(|a| a.ssn.expose().to_owned()),
            medical_insurance: Some(medical(f.account)),
            photo_ref: photo(f),
            ..Disclosed::default()
        },
        Pharmacy => Disclosed {
            holder_name: name,
            medical_insurance: Some(medical(f.account)),
            ..Disclosed::default()
        },
        Transit => Disclosed {
            card_status: f.card.map(|c| c.state.status),
            photo_ref: photo(f),
            ..Disclosed::default()
        },
        CultureVenue | Library => Disclosed {
            holder_name: name,
            ..Disclosed::default()
        },
        Bank => Disclosed {
            holder_name: name,
            card_number: f.card.map(|c| c.card_number.as_str().to_owned()),
            bank_account: f
                .card
                .and_then(|c| c.bank_account.as_ref())
                .map(|b| mask(b.expose(), 0, 4)),
            valid_from: validity.0,
            valid_to: validity.1,
            ..Disclosed::default()
        },
        GovernmentService => Disclosed {
            holder_name: name,
            permit_number: Some(p.permit_number.as_str().to_owned()),
            ssn: f.account.map(|a| a.ssn.expose().to_owned()),
            permit_status: Some(p.status),
            ..Disclosed::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::permit;

    fn keys(purpose: VerificationPurpose) -> Vec<String> {
        let p = permit();
        let f = Facts {
            permit: &p,
            employer_name: "Lingnan Research Institute",
            employer_uscc: "91440101MA5CXXXX0",
            account: None,
            card: None,
        };
        let v = serde_json::to_value(disclose(purpose, &f)).unwrap();
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    /// The disclosure table, purpose by purpose (without an account or a
    /// card, whose fields are then absent rather than empty).
    #[test]
    fn each_purpose_sees_exactly_its_fields() {
        use VerificationPurpose::*;
        let table: [(VerificationPurpose, &[&str]); 10] = [
            (
                ResidencePermit,
                &[
                    "date_of_birth",
                    "employer_name",
                    "employer_uscc",
                    "holder_name",
                    "nationality",
                    "onsite_check",
                    "passport_number",
                    "permit_class",
                    "permit_number",
                    "permit_status",
                    "position",
                    "sex",
                    "valid_from",
                    "valid_to",
                ],
            ),
            (
                Inspection,
                &[
                    "holder_name",
                    "nationality",
                    "permit_number",
                    "permit_status",
                    "valid_from",
                    "valid_to",
                ],
            ),
            (
                EmployerRightToWork,
                &[
                    "holder_name",
                    "permit_class",
                    "permit_status",
                    "valid_from",
                    "valid_to",
                ],
            ),
            (Healthcare, &["holder_name", "medical_insurance"]),
            (Pharmacy, &["holder_name", "medical_insurance"]),
            (Transit, &[]),
            (CultureVenue, &["holder_name"]),
            (Library, &["holder_name"]),
            (Bank, &["holder_name", "valid_from", "valid_to"]),
            (
                GovernmentService,
                &["holder_name", "permit_number", "permit_status"],
            ),
        ];
        for (purpose, expected) in table {
            assert_eq!(keys(purpose), expected.to_vec(), "{purpose:?}");
        }
    }

    #[test]
    fn only_the_police_see_the_passport_number() {
        for p in VerificationPurpose::ALL {
            let has = keys(p).contains(&"passport_number".to_owned());
            assert_eq!(has, p == VerificationPurpose::ResidencePermit, "{p:?}");
        }
    }
}
