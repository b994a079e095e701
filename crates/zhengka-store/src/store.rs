//! The storage trait: what the HTTP layer may ask of storage, and nothing more.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zhengka_domain::application::{Application, ApplicationKind, ApplicationStatus};
use zhengka_domain::employer::{Employer, User};
use zhengka_domain::ids::RegionCode;
use zhengka_domain::permit::{Permit, PermitNumber};

use zhengka_domain::events::DomainEvent;

use crate::outbox::Delivery;
use crate::{
    AttemptCount, Audit, AuditEvent, AuditFilter, ChainReport, IdempotentResponse, Material,
    MaterialMeta, SqlStore, StoreError,
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

/// A user with the hash of their password and their TOTP state, for sign-in only.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: String,
    pub totp: Option<Totp>,
}

/// A user's TOTP secret (decrypted), whether it is confirmed, and the last
/// time step a code was accepted for.
#[derive(Clone)]
pub struct Totp {
    pub secret: Vec<u8>,
    pub active: bool,
    pub last_step: Option<i64>,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Totp(***, active {})", self.active)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub employer_id: Option<String>,
    /// Applications of employers in this region or below it (officers).
    pub region_prefix: Option<String>,
    pub statuses: Vec<ApplicationStatus>,
    pub kind: Option<ApplicationKind>,
    /// Keyset cursor: (created_at, id) of the last item seen.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<(String, String)>,
}

#[async_trait]
pub trait Store:
    crate::OutboxStore
    + crate::SocialSecurityStore
    + crate::CardStore
    + crate::CoordinationStore
    + Send
    + Sync
    + 'static
{
    async fn ping(&self) -> Result<(), StoreError>;

    async fn insert_employer(&self, e: &Employer, w: Write) -> Result<(), StoreError>;
    async fn get_employer(&self, id: &str) -> Result<Employer, StoreError>;
    async fn list_employers(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Employer>, StoreError>;

    async fn insert_user(&self, u: &User, password_hash: &str, w: Write) -> Result<(), StoreError>;
    async fn user_by_username(&self, username: &str) -> Result<UserRecord, StoreError>;
    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Store a new (unconfirmed) TOTP secret; a conflict on `TOTP_ACTIVE` if
    /// TOTP is on.
    async fn enrol_totp(&self, user_id: &str, secret: &[u8], w: Write) -> Result<(), StoreError>;
    /// Switch TOTP on for the pending `secret` and use `step`; a conflict on
    /// `TOTP_CHANGED` if `secret` is no longer the pending one.
    async fn activate_totp(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Accept `step` for `user_id` once: false if it (or a later one) was used.
    async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError>;
    /// Users ordered by username, after the `after` username.
    async fn list_users(&self, after: Option<&str>, limit: i64) -> Result<Vec<User>, StoreError>;

    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The user of an unexpired session.
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<User, StoreError>;
    async fn delete_session(&self, token_hash: &str, w: Write) -> Result<(), StoreError>;

    async fn insert_application(&self, a: &Application, w: Write) -> Result<(), StoreError>;
    async fn get_application(&self, id: &str) -> Result<Application, StoreError>;
    async fn list_applications(
        &self,
        f: &ApplicationFilter,
    ) -> Result<Page<Application>, StoreError>;
    /// Save `a` if its stored version is still `a.version - 1`, and write
    /// `permit` (insert or update) in the same transaction.
    async fn update_application(
        &self,
        a: &Application,
        permit: Option<&Permit>,
        w: Write,
    ) -> Result<(), StoreError>;

    /// Store an uploaded file (sealed with the vault) and its metadata, if its
    /// application is still at `application_version` (a conflict otherwise).
    async fn insert_material(
        &self,
        m: &Material,
        data: &[u8],
        application_version: i64,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The materials of an application, oldest first, without their bytes.
    async fn list_materials(&self, application_id: &str) -> Result<Vec<MaterialMeta>, StoreError>;
    /// One material with its bytes (decrypted).
    async fn material_data(&self, id: &str) -> Result<(MaterialMeta, Vec<u8>), StoreError>;

    async fn get_permit(&self, number: &PermitNumber) -> Result<Permit, StoreError>;
    async fn permits_of_passport(&self, passport_number: &str) -> Result<Vec<Permit>, StoreError>;
    async fn list_permits(
        &self,
        employer_id: Option<&str>,
        region_prefix: Option<&RegionCode>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Permit>, StoreError>;
    /// Save a changed permit (status, on-site check). Guarded by the stored status.
    async fn update_permit(&self, p: &Permit, w: Write) -> Result<(), StoreError>;

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

    /// Every status-list index with its permit's status (for publication and
    /// for allocating new indices).
    async fn status_entries(&self) -> Result<Vec<crate::StatusEntry>, StoreError>;

    /// Record an event that changes no other state (a verification, an export).
    async fn record_event(&self, w: Write) -> Result<(), StoreError>;

    /// Count one attempt under `key` (e.g. `signin:<username>`) before the
    /// work it guards is done; a window of `window` starts with the first.
    async fn count_attempt(
        &self,
        key: &str,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptCount, StoreError>;
    /// Forget the attempts under `key` (after a success).
    async fn clear_attempts(&self, key: &str) -> Result<(), StoreError>;
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
    async fn insert_employer(&self, e: &Employer, w: Write) -> Result<(), StoreError> {
        self.employer_insert(e, w).await
    }
    async fn get_employer(&self, id: &str) -> Result<Employer, StoreError> {
        self.employer_get(id).await
    }
    async fn list_employers(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Employer>, StoreError> {
        self.employer_list(after, limit).await
    }
    async fn insert_user(&self, u: &User, password_hash: &str, w: Write) -> Result<(), StoreError> {
        self.user_insert(u, password_hash, w).await
    }
    async fn user_by_username(&self, username: &str) -> Result<UserRecord, StoreError> {
        self.user_by_name(username).await
    }
    async fn count_users(&self) -> Result<i64, StoreError> {
        self.user_count().await
    }
    async fn enrol_totp(&self, user_id: &str, secret: &[u8], w: Write) -> Result<(), StoreError> {
        self.totp_enrol(user_id, secret, w).await
    }
    async fn activate_totp(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        self.totp_activate(user_id, secret, step, w).await
    }
    async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        self.totp_use_step(user_id, step).await
    }
    async fn list_users(&self, after: Option<&str>, limit: i64) -> Result<Vec<User>, StoreError> {
        self.user_list(after, limit).await
    }
    async fn insert_session(
        &self,
        token_hash: &str,
        user_id: &str,
        expires_at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.session_insert(token_hash, user_id, expires_at, w)
            .await
    }
    async fn session_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<User, StoreError> {
        self.session_get(token_hash, now).await
    }
    async fn delete_session(&self, token_hash: &str, w: Write) -> Result<(), StoreError> {
        self.session_delete(token_hash, w).await
    }
    async fn insert_application(&self, a: &Application, w: Write) -> Result<(), StoreError> {
        self.application_insert(a, w).await
    }
    async fn get_application(&self, id: &str) -> Result<Application, StoreError> {
        self.application_get(id).await
    }
    async fn list_applications(
        &self,
        f: &ApplicationFilter,
    ) -> Result<Page<Application>, StoreError> {
        self.application_list(f).await
    }
    async fn update_application(
        &self,
        a: &Application,
        permit: Option<&Permit>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.application_update(a, permit, w).await
    }
    async fn insert_material(
        &self,
        m: &Material,
        data: &[u8],
        application_version: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        self.material_insert(m, data, application_version, w).await
    }
    async fn list_materials(&self, application_id: &str) -> Result<Vec<MaterialMeta>, StoreError> {
        self.material_list(application_id).await
    }
    async fn material_data(&self, id: &str) -> Result<(MaterialMeta, Vec<u8>), StoreError> {
        self.material_get(id).await
    }
    async fn get_permit(&self, number: &PermitNumber) -> Result<Permit, StoreError> {
        self.permit_get(number).await
    }
    async fn permits_of_passport(&self, passport_number: &str) -> Result<Vec<Permit>, StoreError> {
        self.permit_by_passport(passport_number).await
    }
    async fn list_permits(
        &self,
        employer_id: Option<&str>,
        region_prefix: Option<&RegionCode>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Permit>, StoreError> {
        self.permit_list(employer_id, region_prefix, after, limit)
            .await
    }
    async fn update_permit(&self, p: &Permit, w: Write) -> Result<(), StoreError> {
        self.permit_update(p, w).await
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
    async fn status_entries(&self) -> Result<Vec<crate::StatusEntry>, StoreError> {
        self.status_entries_all().await
    }
    async fn record_event(&self, w: Write) -> Result<(), StoreError> {
        let tx = self.writer.begin().await?;
        self.finish(tx, w).await
    }
    async fn count_attempt(
        &self,
        key: &str,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<AttemptCount, StoreError> {
        self.attempt_count(key, window, now).await
    }
    async fn clear_attempts(&self, key: &str) -> Result<(), StoreError> {
        self.attempt_clear(key).await
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
