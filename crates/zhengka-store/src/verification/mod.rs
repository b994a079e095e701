//! The verification context's tables: the one-card service catalogue, and
//! the registry of relying parties with their API credentials.

mod relying_parties;
mod services;

pub use relying_parties::RelyingPartyStore;
pub use services::{Imported, ServiceFilter, ServiceStore};
