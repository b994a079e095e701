//! The card status list (list 2): one entry per card, its status derived from
//! the card's (frozen → suspended, replaced → revoked). Separate from the
//! permit periods' list 1, so each index space has one owner table.

use zhengka_credential::{Status, StatusBits, StatusList, allocate_index};
use zhengka_domain::cards::CredentialState;
use zhengka_store::{Store, StoreError};

use super::{Credentials, STATUS_LIST_ENTRIES, STATUS_LIST_TTL_SECS};

impl Credentials {
    pub fn card_status_uri(&self) -> String {
        format!("urn:zhengka:{}:status-list:2", self.region())
    }

    /// Build and sign the card status list now. (Built per request: a
    /// verifier's fetch is rare next to a gate's offline checks.)
    pub async fn card_status_list(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let mut bits = StatusBits::new(STATUS_LIST_ENTRIES as usize);
        for (idx, status) in store.card_status_entries().await? {
            bits.set(
                idx,
                match status.credential_status() {
                    CredentialState::Valid => Status::Valid,
                    CredentialState::Suspended => Status::Suspended,
                    CredentialState::Revoked => Status::Revoked,
                },
            );
        }
        let list = StatusList {
            uri: self.card_status_uri(),
            iat: now,
            exp: now + STATUS_LIST_TTL_SECS,
            ttl: STATUS_LIST_TTL_SECS,
            bits,
        };
        Ok(list.sign(self.status_signer()))
    }
}

/// A free random index of the card list; the unique key on `cards` catches
/// the rare race, and the caller tries again.
pub async fn new_card_status_index(store: &dyn Store) -> Result<u32, StoreError> {
    let taken: std::collections::HashSet<u32> = store
        .card_status_entries()
        .await?
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    allocate_index(STATUS_LIST_ENTRIES, |i| taken.contains(&i))
        .ok_or_else(|| StoreError::other("the card status list is full; a second list is needed"))
}
