//! The permits context: applications with their materials, permit records (the
//! one source of permit facts), and the status-list entries of permit periods.

mod application_list;
pub(crate) mod applications;
pub(crate) mod materials;
mod permit_list;
pub(crate) mod query;
mod records;
pub(crate) mod search;
pub(crate) mod status;

use async_trait::async_trait;
use chrono::NaiveDate;
use zhengka_domain::ids::RegionCode;
use zhengka_domain::permits::application::{Application, ApplicationKind, ApplicationStatus};
use zhengka_domain::permits::permit::{Permit, PermitNumber, PermitStatus};

use crate::{Material, MaterialMeta, Page, SqlStore, StoreError, Write};

pub use records::region_prefix;

#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub employer_id: Option<String>,
    /// Applications of employers in this region or below it (officers).
    pub region_prefix: Option<String>,
    pub statuses: Vec<ApplicationStatus>,
    pub kind: Option<ApplicationKind>,
    /// A passport number, a passport name (exact, after normalisation) or a
    /// permit number; see `search.rs`.
    pub search: Option<String>,
    /// Filed on or after / on or before these days (UTC).
    pub created_from: Option<NaiveDate>,
    pub created_to: Option<NaiveDate>,
    pub order: ApplicationOrder,
    /// Keyset cursor: the order's key and the id of the last item seen.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// Newest first (what people look for in their lists), or nearest legal
/// time limit first (officers' queues: overdue on top).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApplicationOrder {
    #[default]
    Newest,
    DueFirst,
}

#[derive(Debug, Clone, Default)]
pub struct PermitFilter {
    pub employer_id: Option<String>,
    pub region_prefix: Option<String>,
    pub statuses: Vec<PermitStatus>,
    /// As for applications: passport number, passport name or permit number.
    pub search: Option<String>,
    /// Only permits whose on-site check is still to be done (awaiting entry,
    /// or due), nearest deadline first; otherwise by permit number.
    pub follow_up: bool,
    /// Keyset cursor: the order's key and the permit number of the last item.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// What the permits context asks of storage; `get_permit` and
/// `permits_of_passport` are its published queries for the other contexts.
#[async_trait]
pub trait PermitStore: Send + Sync {
    async fn insert_application(&self, a: &Application, w: Write) -> Result<(), StoreError>;
    async fn get_application(&self, id: &str) -> Result<Application, StoreError>;
    async fn list_applications(
        &self,
        f: &ApplicationFilter,
    ) -> Result<Page<Application>, StoreError>;
    /// How many applications match `f` (from its cursor on, if it has one).
    async fn count_applications(&self, f: &ApplicationFilter) -> Result<i64, StoreError>;
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
    /// Permits matching `f`, a page at a time.
    async fn find_permits(&self, f: &PermitFilter) -> Result<Page<Permit>, StoreError>;
    /// How many permits match `f` (from its cursor on, if it has one).
    async fn count_permits(&self, f: &PermitFilter) -> Result<i64, StoreError>;
    /// Save a changed permit (status, on-site check). Guarded by the stored status.
    async fn update_permit(&self, p: &Permit, w: Write) -> Result<(), StoreError>;

    /// Every status-list index with its permit's status (for publication and
    /// for allocating new indices).
    async fn status_entries(&self) -> Result<Vec<crate::StatusEntry>, StoreError>;
}

#[async_trait]
impl PermitStore for SqlStore {
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
    async fn count_applications(&self, f: &ApplicationFilter) -> Result<i64, StoreError> {
        self.application_count(f).await
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
    async fn find_permits(&self, f: &PermitFilter) -> Result<Page<Permit>, StoreError> {
        self.permit_find(f).await
    }
    async fn count_permits(&self, f: &PermitFilter) -> Result<i64, StoreError> {
        self.permit_count(f).await
    }
    async fn update_permit(&self, p: &Permit, w: Write) -> Result<(), StoreError> {
        self.permit_update(p, w).await
    }
    async fn status_entries(&self) -> Result<Vec<crate::StatusEntry>, StoreError> {
        self.status_entries_all().await
    }
}
