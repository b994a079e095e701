//! The device credentials: the card credential (kind 2) bound to a holder's
//! device key, and their status list (list 3): one entry per device
//! credential, its state kept by the e-card context from the device, the
//! permit and the card (`zhengka_domain::ecard::credential_state`).

use chrono::{DateTime, Days, Utc};
use zhengka_credential::allocate_index;
use zhengka_credential::{Issued, PublicKey, Status, StatusBits, StatusList, StatusRef, Validity};
use zhengka_domain::cards::CredentialState;
use zhengka_domain::employer::Employer;
use zhengka_domain::permits::permit::Permit;
use zhengka_store::{Store, StoreError};

use super::{Credentials, STATUS_LIST_ENTRIES, STATUS_LIST_TTL_SECS, permit_facts};

/// The list's number in `GET /api/v1/status-lists/{n}`.
pub const DEVICE_STATUS_LIST: &str = "3";

impl Credentials {
    pub fn device_status_uri(&self) -> String {
        format!(
            "urn:zhengka:{}:status-list:{DEVICE_STATUS_LIST}",
            self.region()
        )
    }

    /// Build and sign the device status list now (per request, as list 2).
    pub async fn device_status_list(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let mut bits = StatusBits::new(STATUS_LIST_ENTRIES as usize);
        for (idx, state) in store.device_status_entries().await? {
            bits.set(
                idx,
                match state {
                    CredentialState::Valid => Status::Valid,
                    CredentialState::Suspended => Status::Suspended,
                    CredentialState::Revoked => Status::Revoked,
                },
            );
        }
        let list = StatusList {
            uri: self.device_status_uri(),
            iat: now,
            exp: now + STATUS_LIST_TTL_SECS,
            ttl: STATUS_LIST_TTL_SECS,
            bits,
        };
        Ok(list.sign(self.status_signer()))
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
    let taken: std::collections::HashSet<u32> = store
        .device_status_entries()
        .await?
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    allocate_index(STATUS_LIST_ENTRIES, |i| taken.contains(&i))
        .ok_or_else(|| StoreError::other("the device status list is full; a second list is needed"))
}
