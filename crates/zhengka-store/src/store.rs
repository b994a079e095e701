//! The storage trait: what the HTTP layer may ask of storage, and nothing more:
//! every context's store trait, and what all writes share (audit, idempotency,
//! the outbox).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zhengka_domain::events::DomainEvent;

use crate::outbox::Delivery;
use crate::{
    Audit, AuditEvent, AuditFilter, ChainReport, IdempotentResponse, SqlStore, StoreError,
};

/// What goes with every write, in the same transaction: the audit event, the
/// idempotency record, the domain events for the outbox, and (for a
/// subscriber's reaction) the delivery it completes.
#[derive(Debug, Clone)]
pub struct Write {
    pub audit: Audit,
    pub idempotency: Option<IdempotentResponse>,
    pub events: Vec<DomainEvent>,
    pub delivery: Option<Delivery>,
}

impl Write {
    pub fn new(audit: Audit) -> Self {
        Self {
            audit,
            idempotency: None,
            events: Vec::new(),
            delivery: None,
        }
    }

    /// The same write, also telling the other contexts `event`.
    pub fn with_event(mut self, event: DomainEvent) -> Self {
        self.events.push(event);
        self
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<(String, String)>,
}

#[async_trait]
#[async_trait]
pub trait Store:
    crate::PermitStore
    + crate::UserStore
    + crate::OutboxStore
    + crate::SocialSecurityStore
    + crate::CardStore
    + crate::EcardStore
    + crate::DeviceStore
    + crate::ServiceStore
    + crate::RelyingPartyStore
    + crate::VerificationLogStore
    + crate::UseStore
    + crate::GateStore
    + crate::NotificationStore
    + crate::CoordinationStore
    + crate::FederationStore
    + crate::WebhookStore
    + crate::StatusListStore
    + crate::SweepStore
    + Send
    + Sync
    + 'static
{
    async fn ping(&self) -> Result<(), StoreError>;

    /// The response stored under this user's key, unless it expired by `now`.
    async fn idempotent_response(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentResponse>, StoreError>;
    /// Delete the idempotency records expired by `now` (housekeeping: they are
    /// replay records, no audit event); returns how many.
    async fn purge_expired_idempotency(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Record an event that changes no other state (a verification, an export).
    async fn record_event(&self, w: Write) -> Result<(), StoreError>;
    /// Record a verified presentation: `w` commits only if `verifier` has not
    /// accepted `nonce` before (or its earlier acceptance has expired); `false`
    /// for a replay, with nothing written.
    async fn record_presentation(
        &self,
        verifier: &str,
        nonce: &[u8],
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<bool, StoreError>;
    /// Remove ended attempt windows and expired nonces; the rows removed.
    async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError>;
    async fn verify_audit_chain(&self) -> Result<ChainReport, StoreError>;
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), StoreError> {
        SqlStore::ping(self).await
    }
    async fn idempotent_response(
        &self,
        user_id: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        self.idempotency_get(user_id, key, now).await
    }
    async fn purge_expired_idempotency(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.idempotency_purge(now).await
    }
    async fn record_event(&self, w: Write) -> Result<(), StoreError> {
        let tx = self.begin_write().await?;
        self.finish(tx, w).await
    }
    async fn record_presentation(
        &self,
        verifier: &str,
        nonce: &[u8],
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<bool, StoreError> {
        self.presentation_record(verifier, nonce, expires_at, w)
            .await
    }
    async fn sweep_expired(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.expired_sweep(now).await
    }
    async fn audit_events(&self, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
        self.audit_list(f).await
    }
    async fn verify_audit_chain(&self) -> Result<ChainReport, StoreError> {
        self.audit_verify().await
    }
}
