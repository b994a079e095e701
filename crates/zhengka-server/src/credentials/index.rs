//! A free random index of a status list, found by probing the store (one
//! indexed look-up each) rather than reading every index taken. Draws within
//! the list's current size first; when several draws hit taken indexes (the
//! list is crowded), draws in the next step of `MIN_ENTRIES` above it, so the
//! list grows and stays sparse enough for few probes. The owner table's
//! unique key catches two writers drawing the same index; the caller draws
//! again and retries (`drawing_again`).

use ring::rand::{SecureRandom, SystemRandom};
use zhengka_credential::list_entries;
use zhengka_credential::status::{MAX_ENTRIES, MIN_ENTRIES};
use zhengka_store::{StatusListId, Store, StoreError};

use crate::http::{ApiError, STATUS_INDEX_TAKEN};

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

/// Runs of a write after the first, when racing writes took its drawn index.
const REDRAWS: usize = 4;

/// Run `write` (which draws its status index with [`new_index`]) again while
/// a racing write took the index it drew: two writes that drew the same free
/// index both pass the probe, and the owner's unique key lets one commit.
/// The loser changed nothing (its write rolled back whole), so it is safe to
/// redo from its reads; under load about one approval in 5,000 lost one
/// (docs/performance.md).
pub async fn drawing_again<T, F, Fut>(mut write: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ApiError>>,
{
    let mut left = REDRAWS;
    loop {
        match write().await {
            Err(ApiError::Conflict { code, .. }) if code == STATUS_INDEX_TAKEN && left > 0 => {
                left -= 1;
            }
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn taken() -> ApiError {
        ApiError::from(StoreError::conflict("status_index"))
    }

    #[tokio::test]
    async fn a_taken_index_is_drawn_again_other_errors_are_not() {
        let runs = Cell::new(0);
        let got = drawing_again(|| async {
            runs.set(runs.get() + 1);
            if runs.get() < 3 {
                Err(taken())
            } else {
                Ok(runs.get())
            }
        })
        .await;
        assert_eq!(got.ok(), Some(3));

        runs.set(0);
        let got: Result<(), _> = drawing_again(|| async {
            runs.set(runs.get() + 1);
            Err(taken())
        })
        .await;
        assert!(matches!(
            got,
            Err(ApiError::Conflict {
                code: STATUS_INDEX_TAKEN,
                ..
            })
        ));
        assert_eq!(runs.get(), 1 + REDRAWS, "bounded");

        runs.set(0);
        let got: Result<(), _> = drawing_again(|| async {
            runs.set(runs.get() + 1);
            Err(ApiError::from(StoreError::conflict("application_version")))
        })
        .await;
        assert!(matches!(
            got,
            Err(ApiError::Conflict {
                code: "concurrent_update",
                ..
            })
        ));
        assert_eq!(runs.get(), 1, "only a taken index is drawn again");
    }
}
