//! The status lists this instance serves: list 1 (every permit period's
//! index, with the permit's status), list 2 (cards), list 3 (device
//! credentials). Each is built by streaming the store's entries that may not
//! be valid into the compressor (`StatusEncoder`), never holding every entry,
//! and cached until the database says something changed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zhengka_credential::{Status, StatusEncoder, StatusList, StatusListHead, list_entries};
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

/// A signed list as it is served, and the same list decoded for this
/// instance's own checks (decoded once per signing: at 10 M holders the
/// bitstring is 4 MB, too much to inflate for every verification).
#[derive(Clone)]
pub(super) struct Served {
    pub bytes: Arc<[u8]>,
    pub decoded: Arc<StatusList>,
}

/// One signed list this instance serves, with what it was built from.
pub(super) struct CachedList {
    /// When it was last signed.
    built: Instant,
    /// The store's status counter read before the entries were.
    status_seq: i64,
    iat: i64,
    served: Served,
    /// The compressed bitstring and its URI: re-signed with a new `iat` while
    /// the counter has not moved, without reading the entries again.
    compressed: Vec<u8>,
    uri: String,
}

/// The cache of one list, and the one build of it that may run at a time
/// (at 10 M holders a build reads 400,000 entries: requests arriving during
/// it wait for it instead of each starting another).
#[derive(Default)]
pub(super) struct ListCache {
    list: Mutex<Option<CachedList>>,
    building: tokio::sync::Mutex<()>,
}

impl ListCache {
    fn read<T>(&self, f: impl FnOnce(&CachedList) -> T) -> Option<T> {
        let cache = self.list.lock().unwrap_or_else(|e| e.into_inner());
        cache.as_ref().map(f)
    }

    fn put(&self, list: Option<CachedList>) {
        *self.list.lock().unwrap_or_else(|e| e.into_inner()) = list;
    }

    /// The cached bytes if they were signed less than `max_age` ago from the
    /// entries as of `seq`.
    fn current(&self, seq: i64, max_age: Duration) -> Option<Served> {
        self.read(|c| {
            (c.status_seq == seq && c.built.elapsed() < max_age).then(|| c.served.clone())
        })
        .flatten()
    }
}

impl Credentials {
    /// The signed status list 1 (permit periods).
    pub async fn status_list(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .permits_list(store, now, STATUS_CACHE)
            .await?
            .bytes
            .to_vec())
    }

    /// Status list 1 as this instance's own checks read it.
    pub async fn status_list_decoded(
        &self,
        store: &dyn Store,
        now: i64,
    ) -> Result<Arc<StatusList>, StoreError> {
        Ok(self.permits_list(store, now, STATUS_CACHE).await?.decoded)
    }

    async fn permits_list(
        &self,
        store: &dyn Store,
        now: i64,
        max_age: Duration,
    ) -> Result<Served, StoreError> {
        let (cache, uri) = (&self.status_cache, self.status_uri());
        self.cached(cache, store, StatusListId::Permits, uri, now, max_age)
            .await
    }

    /// The signed list `list` from `cache`. Within `STATUS_RECHECK` of its
    /// signing it is served as it is; after that the store's status counter
    /// is read (a change on this or another instance moves it): unmoved, the
    /// list is served until `max_age`, then re-signed with a new `iat` from
    /// the same bitstring; moved, it is built again from the entries.
    pub(super) async fn cached(
        &self,
        cache: &ListCache,
        store: &dyn Store,
        list: StatusListId,
        uri: String,
        now: i64,
        max_age: Duration,
    ) -> Result<Served, StoreError> {
        let fresh = STATUS_RECHECK.min(max_age);
        if let Some(served) = cache
            .read(|c| (c.built.elapsed() < fresh).then(|| c.served.clone()))
            .flatten()
        {
            return Ok(served);
        }
        let seq = store.status_seq().await?;
        if let Some(served) = cache.current(seq, max_age) {
            return Ok(served);
        }
        let _building = cache.building.lock().await;
        // Built or re-signed by another request while this one waited.
        if let Some(served) = cache.current(seq, max_age.max(STATUS_RECHECK)) {
            return Ok(served);
        }
        let unchanged = cache
            .read(|c| (c.status_seq == seq && c.uri == uri).then(|| c.compressed.clone()))
            .flatten();
        // The counter is read before the entries: a change in between makes
        // it differ at the next check, so the list is rebuilt, never kept stale.
        let compressed = match unchanged {
            Some(compressed) => compressed,
            None => self.compress_list(store, list).await?,
        };
        let bytes = self.sign_list(&compressed, uri.clone(), now);
        // Decoding checks the signature just made, as any verifier would.
        let decoded = StatusList::from_token(&bytes, &self.trust_list_value(now))
            .map_err(|e| StoreError::other(format!("status list {list:?}: {e}")))?;
        let served = Served {
            bytes: bytes.into(),
            decoded: Arc::new(decoded),
        };
        cache.put(Some(CachedList {
            built: Instant::now(),
            status_seq: seq,
            iat: now,
            served: served.clone(),
            compressed,
            uri,
        }));
        Ok(served)
    }

    /// The `iat` of the list 1 this instance serves now, if it has built one.
    pub fn status_list_iat(&self) -> Option<i64> {
        self.status_cache.read(|c| c.iat)
    }

    /// Sign status list 1 for `now`: re-signed from the cached bitstring
    /// while the store's status counter has not moved, else built again (the
    /// publication job; requests meanwhile are served the previous list).
    pub async fn publish(&self, store: &dyn Store, now: i64) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .permits_list(store, now, Duration::ZERO)
            .await?
            .bytes
            .to_vec())
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
        let compressed = self.compress_list(store, list).await?;
        Ok(self.sign_list(&compressed, uri, now))
    }

    async fn compress_list(
        &self,
        store: &dyn Store,
        list: StatusListId,
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
        Ok(encoder.finish(entries))
    }

    fn sign_list(&self, compressed: &[u8], uri: String, now: i64) -> Vec<u8> {
        let head = StatusListHead {
            uri,
            iat: now,
            exp: now + STATUS_LIST_TTL_SECS,
            ttl: STATUS_LIST_TTL_SECS,
        };
        head.sign(compressed.to_vec(), self.status_signer())
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
