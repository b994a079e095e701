//! The status list: every permit period's index, with the permit's status.

use std::time::Instant;

use zhengka_credential::{Status, StatusBits, StatusList, allocate_index};
use zhengka_store::{StatusEntry, Store, StoreError};

use super::{Credentials, STATUS_CACHE, STATUS_LIST_TTL_SECS, STATUS_RECHECK};

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

/// The signed list this instance serves, with what it was built from.
pub(super) struct CachedList {
    built: Instant,
    /// The store's change counter read before the entries were.
    change_seq: i64,
    iat: i64,
    bytes: Vec<u8>,
}

impl Credentials {
    /// The signed status list. Rebuilt when the cached one is older than
    /// `STATUS_CACHE`, or older than `STATUS_RECHECK` and the database's change
    /// counter has moved (a write on this or another instance).
    pub async fn status_list(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        let cached = self.cached_status(|c| (c.built.elapsed(), c.change_seq, c.bytes.clone()));
        let seq = match cached {
            Some((age, _, bytes)) if age < STATUS_RECHECK => return Ok(bytes),
            Some((age, seq, bytes)) if age < STATUS_CACHE => {
                let now_seq = store.change_seq().await?;
                if now_seq == seq {
                    return Ok(bytes);
                }
                now_seq
            }
            _ => store.change_seq().await?,
        };
        // Read before the entries: a write in between makes the counter
        // differ at the next check, so the list is rebuilt, never kept stale.
        let bytes = self.publish(store, now).await?;
        *self.status_cache.lock().unwrap_or_else(|e| e.into_inner()) = Some(CachedList {
            built: Instant::now(),
            change_seq: seq,
            iat: now,
            bytes: bytes.clone(),
        });
        Ok(bytes)
    }

    /// The `iat` of the list this instance serves now, if it has built one.
    pub fn status_list_iat(&self) -> Option<i64> {
        self.cached_status(|c| c.iat)
    }

    fn cached_status<T>(&self, f: impl FnOnce(&CachedList) -> T) -> Option<T> {
        let cache = self.status_cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.as_ref().map(f)
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
