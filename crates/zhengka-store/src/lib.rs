//! Storage for zhengka: one store trait per bounded context (`PermitStore`,
//! `UserStore`, `SocialSecurityStore`, `CardStore`, and the `OutboxStore` they
//! share), gathered in [`Store`]; one SQL implementation for SQLite (embedded
//! default) and PostgreSQL (production), chosen by URL.
//!
//! Every write commits its state change, its audit event and (when given) its
//! idempotency record in one transaction. Storage holds no business rules.
#![forbid(unsafe_code)]

pub mod audit;
mod cards;
mod coordination;
mod db;
mod ecard;
mod error;
mod idempotency;
mod migrate;
mod outbox;
pub mod permits;
mod platform;
mod social_security;
mod status_lists;
mod store;
pub mod testing;
mod transfer;
pub mod vault;
mod verification;
mod write_tx;

pub use audit::{Audit, AuditEvent, AuditFilter, ChainReport};
pub use cards::{BatchRecord, CardFilter, CardStore};
pub use coordination::{CoordinationStore, JobLease};
pub use db::{Backend, SqlStore};
pub use ecard::{
    Attempted, Bound, DeviceStore, DueWindow, EcardStore, Notification, NotificationDelivery,
    NotificationKey, NotificationStore, ReminderCandidate, SweepStore,
};
pub use error::{
    ONE_ACTIVE_PERMIT, StoreError, TOTP_ACTIVE, TOTP_CHANGED, WRITE_DEADLOCK, status_index_taken,
};
pub use idempotency::{IDEMPOTENCY_TTL_HOURS, IdempotentResponse};
pub use outbox::{Delivery, OutboxEntry, OutboxStore};
pub use permits::materials::{Material, MaterialMeta};
pub use permits::status::StatusEntry;
pub use permits::{ApplicationFilter, ApplicationOrder, PermitFilter, PermitStore};
pub use platform::attempts::AttemptCount;
pub use platform::{Counted, EmployerFilter, Totp, UserFilter, UserRecord, UserStore};
pub use social_security::{AccountFilter, SocialSecurityStore};
pub use status_lists::{StatusListId, StatusListStore, StatusSink};
pub use store::{Page, Store, Write};
pub use transfer::TransferReport;
pub use vault::Vault;
pub use verification::{
    DueWebhook, GateStore, Imported, Nonce, ONE_USE_PER_SERVICE, Once, RelyingPartyStore,
    ServiceFilter, ServiceStore, ServiceUse, ShareCode, Uploaded, UseStore, VerificationEntry,
    VerificationLogStore, WebhookDelivery, WebhookStore, gate_entry_id,
};
pub use verification::{FederationStore, FetchRecorded, PeerFetch, PeerState, PeerStatusList};
pub(crate) use write_tx::WriteTx;

/// Every context's store trait, for code that holds a concrete `SqlStore`
/// (tools, tests) rather than a `dyn Store`.
pub mod prelude {
    pub use crate::FederationStore;
    pub use crate::GateStore;
    pub use crate::{
        CardStore, CoordinationStore, DeviceStore, EcardStore, NotificationStore, OutboxStore,
        PermitStore, RelyingPartyStore, ServiceStore, SocialSecurityStore, Store, UseStore,
        UserStore, VerificationLogStore, WebhookStore,
    };
    pub use crate::{StatusListStore, SweepStore};
}
