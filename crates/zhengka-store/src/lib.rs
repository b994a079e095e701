//! Storage for zhengka: one [`Store`] trait, implemented once over SQL that runs on
//! both SQLite (embedded default) and PostgreSQL (production), chosen by URL.
//!
//! Every write commits its state change, its audit event and (when given) its
//! idempotency record in one transaction. Storage holds no business rules.
#![forbid(unsafe_code)]

mod applications;
mod attempts;
pub mod audit;
mod cards;
mod coordination;
mod db;
mod employers;
mod error;
mod idempotency;
mod materials;
mod migrate;
mod outbox;
pub mod permits;
mod sessions;
mod social_security;
mod status;
mod store;
pub mod testing;
mod transfer;
mod users;
pub mod vault;

pub use attempts::AttemptCount;
pub use audit::{Audit, AuditEvent, AuditFilter, ChainReport};
pub use cards::{BatchRecord, CardFilter, CardStore};
pub use coordination::{CoordinationStore, JobLease};
pub use db::{Backend, SqlStore};
pub use error::{ONE_ACTIVE_PERMIT, StoreError, TOTP_ACTIVE, TOTP_CHANGED};
pub use idempotency::{IDEMPOTENCY_TTL_HOURS, IdempotentResponse};
pub use materials::{Material, MaterialMeta};
pub use outbox::{Delivery, OutboxEntry, OutboxStore};
pub use social_security::{AccountFilter, SocialSecurityStore};
pub use status::StatusEntry;
pub use store::{ApplicationFilter, Page, Store, Totp, UserRecord, Write};
pub use transfer::TransferReport;
pub use vault::Vault;
