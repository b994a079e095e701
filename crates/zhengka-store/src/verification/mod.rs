//! The verification context's tables: the one-card service catalogue, and
//! the registry of relying parties with their API credentials, and the
//! verification log.

mod log;
mod relying_parties;
mod services;
mod webhooks;

pub use log::{Nonce, VerificationEntry, VerificationLogStore};
pub use relying_parties::RelyingPartyStore;
pub use services::{Imported, ServiceFilter, ServiceStore};
pub use webhooks::{DueWebhook, WebhookDelivery, WebhookStore};
