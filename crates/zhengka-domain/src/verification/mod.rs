//! The verification context: who may check a card for what, what each
//! purpose discloses, and the one-card service catalogue the card opens.

pub mod disclosure;
pub mod relying_party;
pub mod services;
pub mod webhooks;

pub use relying_party::{
    ApiCredential, Organisation, OrganisationInput, VerificationPurpose, check_organisation,
    parse_api_token,
};
pub use services::{Sector, Service, ServiceInput, parse_import};
