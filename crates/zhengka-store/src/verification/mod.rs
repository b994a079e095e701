//! The verification context's tables: the one-card service catalogue, and
//! the registry of relying parties with their API credentials, and the
//! verification log.

mod federation;
mod gates;
mod log;
mod relying_parties;
mod services;
mod uses;
mod webhooks;

pub use federation::{FederationStore, FetchRecorded, PeerFetch, PeerState, PeerStatusList};
pub use gates::{GateStore, Uploaded, gate_entry_id};
pub use log::{Nonce, Once, VerificationEntry, VerificationLogStore};
pub use relying_parties::RelyingPartyStore;
pub use services::{Imported, ServiceFilter, ServiceStore};
pub use uses::{ONE_USE_PER_SERVICE, ServiceUse, ShareCode, UseStore};
pub use webhooks::{DueWebhook, WebhookDelivery, WebhookStore};
