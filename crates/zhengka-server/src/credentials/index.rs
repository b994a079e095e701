//! A free random index of a status list, found by probing the store (one
//! indexed look-up each) rather than reading every index taken. Draws within
//! the list's current size first; when several draws hit taken indexes (the
//! list is crowded), draws in the next step of `MIN_ENTRIES` above it, so the
//! list grows and stays sparse enough for few probes. The owner table's
//! unique key catches two writers drawing the same index; the caller retries.

use ring::rand::{SecureRandom, SystemRandom};
use zhengka_credential::list_entries;
use zhengka_credential::status::{MAX_ENTRIES, MIN_ENTRIES};
use zhengka_store::{StatusListId, Store, StoreError};

/// Draws within the current size before growing.
const INSIDE: usize = 8;
/// Draws in all.
const DRAWS: usize = 32;

fn random_below(rng: &SystemRandom, n: u64) -> Result<u64, StoreError> {
    let mut b = [0u8; 8];
    rng.fill(&mut b)
        .map_err(|_| StoreError::other("no randomness"))?;
    Ok(u64::from_le_bytes(b) % n.max(1))
}

pub async fn new_index(store: &dyn Store, list: StatusListId) -> Result<u32, StoreError> {
    let rng = SystemRandom::new();
    let size = list_entries(store.status_index_max(list).await?) as u64;
    for draw in 0..DRAWS {
        let idx = if draw < INSIDE {
            random_below(&rng, size)?
        } else {
            size + random_below(&rng, MIN_ENTRIES as u64)?
        };
        if idx >= MAX_ENTRIES as u64 {
            continue;
        }
        let idx = u32::try_from(idx).map_err(StoreError::other)?;
        if !store.status_index_taken(list, idx).await? {
            return Ok(idx);
        }
    }
    Err(StoreError::other(format!(
        "status list {list:?} is full; a second list is needed"
    )))
}
