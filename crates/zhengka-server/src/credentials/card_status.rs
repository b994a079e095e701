//! The card status list (list 2): one entry per card, its status derived from
//! the card's (frozen → suspended, replaced → revoked). Separate from the
//! permit periods' list 1, so each index space has one owner table.

use zhengka_store::{StatusListId, Store, StoreError};

use super::{Credentials, STATUS_CACHE};

impl Credentials {
    pub fn card_status_uri(&self) -> String {
        format!("urn:zhengka:{}:status-list:2", self.region())
    }

    /// The signed card status list, cached as list 1 is.
    pub async fn card_status_list(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let uri = self.card_status_uri();
        self.cached(
            &self.card_cache,
            store,
            StatusListId::Cards,
            uri,
            now,
            STATUS_CACHE,
        )
        .await
        .map(|served| served.bytes.to_vec())
    }
}

/// A free random index of the card list; the unique key on `cards` catches
/// the rare race, and the caller tries again.
pub async fn new_card_status_index(store: &dyn Store) -> Result<u32, StoreError> {
    super::index::new_index(store, StatusListId::Cards).await
}
