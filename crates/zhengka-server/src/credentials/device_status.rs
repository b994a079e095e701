//! The device credentials: the card credential (kind 2) bound to a holder's
//! device key, and their status list (list 3): one entry per device
//! credential, its state kept by the e-card context from the device, the
//! permit and the card (`zhengka_domain::ecard::credential_state`).

use std::sync::Arc;

use chrono::{DateTime, Days, Utc};
use zhengka_credential::{Issued, PublicKey, StatusList, StatusRef, Validity};
use zhengka_domain::employer::Employer;
use zhengka_domain::permits::permit::Permit;
use zhengka_store::{StatusListId, Store, StoreError};

use super::status::Served;
use super::{Credentials, STATUS_CACHE, permit_facts};

/// The list's number in `GET /api/v1/status-lists/{n}`.
pub const DEVICE_STATUS_LIST: &str = "3";

impl Credentials {
    pub fn device_status_uri(&self) -> String {
        format!(
            "urn:zhengka:{}:status-list:{DEVICE_STATUS_LIST}",
            self.region()
        )
    }

    /// The signed device status list, cached as list 1 is.
    pub async fn device_status_list(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        Ok(self.devices_list(store, now).await?.bytes.to_vec())
    }

    /// The device list as this instance's own checks read it.
    pub async fn device_status_list_decoded(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> Result<Arc<StatusList>, StoreError> {
        Ok(self.devices_list(store, now).await?.decoded)
    }

    async fn devices_list(&self, store: &dyn Store, now: i64) -> Result<Served, StoreError> {
        let uri = self.device_status_uri();
        let cache = &self.device_cache;
        (self.cached(cache, store, StatusListId::Devices, uri, now, STATUS_CACHE)).await
    }

    /// The card credential of `permit` bound to `device_key`: the permit
    /// record's facts, valid until the end of the permit's last day, its
    /// status at `idx` of list 3.
    pub fn issue_card(
        &self,
        permit: &Permit,
        employer: &Employer,
        device_key: PublicKey,
        idx: u32,
        now: DateTime<Utc>,
    ) -> Issued {
        let validity = Validity {
            iat: now.timestamp(),
            exp: permit_end(permit).timestamp(),
        };
        let status = StatusRef {
            uri: self.device_status_uri(),
            idx,
        };
        self.issuer.card(
            permit_facts(permit, employer),
            device_key,
            validity,
            Some(status),
        )
    }
}

/// The end of the permit's last day (UTC), as every credential's `exp`.
pub fn permit_end(permit: &Permit) -> DateTime<Utc> {
    (permit.valid_to + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

/// A free random index of the device list; the unique key on
/// `ecard_devices.status_index` catches the rare race, and the caller draws again.
pub async fn new_device_status_index(store: &dyn Store) -> Result<u32, StoreError> {
    super::index::new_index(store, StatusListId::Devices).await
}
