//! The e-card context's tables: registrations between their two steps, and
//! holder accounts. One open account per person is the partial unique index
//! `ecard_holders_one_per_person`, so two registrations finishing at once make
//! one account.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zhengka_domain::ecard::{Holder, Registration};
use zhengka_domain::employer::User;
use zhengka_domain::permits::permit::PermitNumber;

use crate::{Page, SqlStore, StoreError, Write};

pub(crate) use devices::RETIRED;
pub use devices::{Bound, DeviceStore};
pub use sweep::{DueWindow, NotificationKey, ReminderCandidate, SweepStore};

mod devices;
mod holders;
pub(crate) mod notifications;
mod registrations;
mod sweep;

pub use notifications::{Attempted, Notification, NotificationDelivery, NotificationStore};

#[async_trait]
pub trait EcardStore: Send + Sync {
    async fn insert_registration(&self, r: &Registration, w: Write) -> Result<(), StoreError>;
    async fn get_registration(&self, id: &str) -> Result<Registration, StoreError>;
    /// Close the registration `r` (still awaiting when stored) and open the
    /// holder account with its `foreigner` user, in one transaction. A second
    /// open account for the permit number is `Conflict("already_registered")`;
    /// a registration already used is `Conflict("registration_closed")`.
    async fn open_holder(
        &self,
        r: &Registration,
        holder: &Holder,
        user: &User,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Close the reset registration `r` and set the holder user's new password
    /// (the hash in `r`), ending every session of that user.
    async fn reset_holder_password(
        &self,
        r: &Registration,
        user_id: &str,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Published query `holder_for_permit`: the open account of the person.
    async fn holder_for_permit(&self, n: &PermitNumber) -> Result<Holder, StoreError>;
    async fn holder_of_user(&self, user_id: &str) -> Result<Holder, StoreError>;
    async fn get_holder(&self, id: &str) -> Result<Holder, StoreError>;
    /// Close the account: its user renamed (so the person may register again),
    /// its sessions ended, its devices' credentials revoked.
    async fn close_holder(&self, h: &Holder, w: Write) -> Result<(), StoreError>;
    /// Open accounts, oldest first, after the keyset cursor `(created_at, id)`.
    async fn list_holders(
        &self,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<Holder>, StoreError>;
    /// Remove registrations that ended before `now` (housekeeping).
    async fn purge_registrations(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[async_trait]
impl EcardStore for SqlStore {
    async fn insert_registration(&self, r: &Registration, w: Write) -> Result<(), StoreError> {
        self.registration_insert(r, w).await
    }
    async fn get_registration(&self, id: &str) -> Result<Registration, StoreError> {
        self.registration_get(id).await
    }
    async fn open_holder(
        &self,
        r: &Registration,
        holder: &Holder,
        user: &User,
        w: Write,
    ) -> Result<(), StoreError> {
        self.holder_open(r, holder, user, w).await
    }
    async fn reset_holder_password(
        &self,
        r: &Registration,
        user_id: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        self.holder_password_reset(r, user_id, w).await
    }
    async fn holder_for_permit(&self, n: &PermitNumber) -> Result<Holder, StoreError> {
        self.holder_where("permit_number = $1 AND status = 'active'", n.as_str())
            .await
    }
    async fn holder_of_user(&self, user_id: &str) -> Result<Holder, StoreError> {
        self.holder_where("user_id = $1", user_id).await
    }
    async fn get_holder(&self, id: &str) -> Result<Holder, StoreError> {
        self.holder_where("id = $1", id).await
    }
    async fn close_holder(&self, h: &Holder, w: Write) -> Result<(), StoreError> {
        self.holder_close(h, w).await
    }
    async fn list_holders(
        &self,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<Holder>, StoreError> {
        self.holder_list(after, limit).await
    }
    async fn purge_registrations(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.registration_purge(now).await
    }
}
