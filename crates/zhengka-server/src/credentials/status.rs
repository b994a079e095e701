//! The status lists this instance serves: list 1 (every permit period's
//! index, with the permit's status), list 2 (cards), list 3 (device
//! credentials). Each is built by streaming the store's entries that may not
//! be valid into the compressor (`StatusEncoder`), never holding every entry,
//! and cached until the database says something changed.

use std::sync::Mutex;
use std::time::Instant;

use zhengka_credential::{Status, StatusEncoder, StatusListHead, list_entries};
use zhengka_domain::cards::CredentialState;
use zhengka_store::{StatusListId, Store, StoreError};

use super::{Credentials, STATUS_CACHE, STATUS_LIST_TTL_SECS, STATUS_RECHECK};

/// Entries of the smallest list: large enough that a lookup does not reveal
/// who is checked. Lists grow in steps of this as indexes are handed out.
pub const STATUS_LIST_ENTRIES: u32 = zhengka_credential::status::MIN_ENTRIES as u32;

fn status_of(state: CredentialState) -> Status {
    match state {
        CredentialState::Valid => Status::Valid,
        CredentialState::Suspended => Status::Suspended,
        CredentialState::Revoked => Status::Revoked,
    }
}

/// One signed list this instance serves, with what it was built from.
pub(super) struct CachedList {
    built: Instant,
    /// The store's change counter read before the entries were.
    change_seq: i64,
    iat: i64,
    bytes: Vec<u8>,
}

/// The cache of one list.
#[derive(Default)]
pub(super) struct ListCache(Mutex<Option<CachedList>>);

impl ListCache {
    fn read<T>(&self, f: impl FnOnce(&CachedList) -> T) -> Option<T> {
        let cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        cache.as_ref().map(f)
    }

    fn put(&self, list: Option<CachedList>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = list;
    }
}

impl Credentials {
    /// The signed status list 1 (permit periods).
    pub async fn status_list(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        let uri = self.status_uri();
        self.cached(&self.status_cache, store, StatusListId::Permits, uri, now)
            .await
    }

    /// The signed list `list` from `cache`. Rebuilt when the cached one is
    /// older than `STATUS_CACHE`, or older than `STATUS_RECHECK` and the
    /// database's change counter has moved (a write on this or another
    /// instance: every write moves it, status changes included).
    pub(super) async fn cached(
        &self,
        cache: &ListCache,
        store: &dyn Store,
        list: StatusListId,
        uri: String,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let cached = cache.read(|c| (c.built.elapsed(), c.change_seq, c.bytes.clone()));
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
        let bytes = self.build_list(store, list, uri, now).await?;
        cache.put(Some(CachedList {
            built: Instant::now(),
            change_seq: seq,
            iat: now,
            bytes: bytes.clone(),
        }));
        Ok(bytes)
    }

    /// The `iat` of the list 1 this instance serves now, if it has built one.
    pub fn status_list_iat(&self) -> Option<i64> {
        self.status_cache.read(|c| c.iat)
    }

    /// Build and sign a fresh status list 1 now.
    pub async fn publish(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        self.build_list(store, StatusListId::Permits, self.status_uri(), now)
            .await
    }

    /// Build and sign `list` now: its size from the highest index in use,
    /// then the entries that may not be valid, streamed in index order into
    /// the compressor.
    pub async fn build_list(
        &self,
        store: &dyn Store,
        list: StatusListId,
        uri: String,
        now: i64,
    ) -> Result<Vec<u8>, StoreError> {
        let entries = list_entries(store.status_index_max(list).await?);
        let mut encoder = StatusEncoder::new();
        let mut refused = None;
        store
            .for_each_status(list, &mut |idx, state| {
                if let Err(e) = encoder.push(idx, status_of(state)) {
                    refused.get_or_insert(e);
                }
            })
            .await?;
        if let Some(e) = refused {
            return Err(StoreError::other(format!("status list {list:?}: {e}")));
        }
        let head = StatusListHead {
            uri,
            iat: now,
            exp: now + STATUS_LIST_TTL_SECS,
            ttl: STATUS_LIST_TTL_SECS,
        };
        Ok(head.sign(encoder.finish(entries), self.status_signer()))
    }

    /// Forget the cached lists, so the next request sees a change at once.
    pub fn invalidate_status_list(&self) {
        self.status_cache.put(None);
        self.card_cache.put(None);
        self.device_cache.put(None);
    }
}

/// A free random index for a new permit period.
pub async fn new_status_index(store: &dyn Store) -> Result<u32, StoreError> {
    super::index::new_index(store, StatusListId::Permits).await
}
