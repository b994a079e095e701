//! The verification context: who may check a card for what, what each
//! purpose discloses, and the one-card service catalogue the card opens.

pub mod disclosure;
pub mod gate;
pub mod peer;
pub mod presented;
pub mod relying_party;
pub mod services;
pub mod share_code;
pub mod webhooks;

pub use gate::{Gate, GateInput, check_gate, check_offline_entry};
pub use peer::{Peer, PeerInput, check_peer};
pub use presented::{Presented, Verifier, accepted, may_state};
pub use relying_party::{
    ApiCredential, Organisation, OrganisationInput, VerificationPurpose, check_organisation,
    parse_api_token,
};
pub use services::{Sector, Service, ServiceInput, parse_import};
