//! The status list: every permit period's index, with the permit's status.

use std::time::Instant;

use zhengka_credential::{Status, StatusBits, StatusList, allocate_index};
use zhengka_store::{StatusEntry, Store, StoreError};

use super::{Credentials, STATUS_CACHE, STATUS_LIST_TTL_SECS};

/// Entries per list: large enough that a lookup does not reveal who is checked.
pub const STATUS_LIST_ENTRIES: u32 = 131_072;

fn status_of(e: &StatusEntry) -> Status {
    match (e.current, e.permit_status.as_str()) {
        (true, "valid") => Status::Valid,
        (true, "suspended") => Status::Suspended,
        // expired, cancelled, revoked, and every earlier period of the permit
        _ => Status::Revoked,
    }
}

impl Credentials {
    /// The signed status list, rebuilt from storage when the cached one is
    /// older than a few seconds.
    pub async fn status_list(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        if let Some((at, bytes)) = self
            .status_cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && at.elapsed() < STATUS_CACHE
        {
            return Ok(bytes.clone());
        }
        let bytes = self.publish(store, now).await?;
        *self.status_cache.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), bytes.clone()));
        Ok(bytes)
    }

    /// Build and sign a fresh status list now.
    pub async fn publish(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        let mut bits = StatusBits::new(STATUS_LIST_ENTRIES as usize);
        for entry in store.status_entries().await? {
            bits.set(entry.idx, status_of(&entry));
        }
        let list = StatusList {
            uri: self.status_uri(),
            iat: now,
            exp: now + STATUS_LIST_TTL_SECS,
            ttl: STATUS_LIST_TTL_SECS,
            bits,
        };
        Ok(list.sign(&self.status_signer))
    }

    /// Forget the cached list, so the next request sees a change at once.
    pub fn invalidate_status_list(&self) {
        *self.status_cache.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// A free random index for a new permit period.
pub async fn new_status_index(store: &dyn Store) -> Result<u32, StoreError> {
    let taken: std::collections::HashSet<u32> = store
        .status_entries()
        .await?
        .into_iter()
        .map(|e| e.idx)
        .collect();
    allocate_index(STATUS_LIST_ENTRIES, |i| taken.contains(&i))
        .ok_or_else(|| StoreError::other("the status list is full; a second list is needed"))
}
