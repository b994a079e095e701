//! The verification context's tables: the one-card service catalogue, and
//! the registry of relying parties with their API credentials, and the
//! verification log.

mod gates;
mod log;
mod relying_parties;
mod services;

pub use gates::{GateStore, Uploaded, gate_entry_id};
pub use log::{Nonce, VerificationEntry, VerificationLogStore};
pub use relying_parties::RelyingPartyStore;
pub use services::{Imported, ServiceFilter, ServiceStore};
