//! The verification context's tables: the one-card service catalogue, and
//! the registry of relying parties with their API credentials, and the
//! verification log.

mod federation;
mod log;
mod relying_parties;
mod services;

pub use federation::{FederationStore, FetchRecorded, PeerFetch, PeerState, PeerStatusList};
pub use log::{Nonce, VerificationEntry, VerificationLogStore};
pub use relying_parties::RelyingPartyStore;
pub use services::{Imported, ServiceFilter, ServiceStore};
