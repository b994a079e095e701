//! The peer regions' lists, refreshed from their URLs: every run fetches each
//! peer due (half its maximum age after the last attempt). A refusal or an
//! unreachable peer is kept as its last error; the lists kept stay.

use chrono::{DateTime, Utc};
use zhengka_store::StoreError;

use crate::AppState;
use crate::api::verification::federation::{FEDERATION_JOB, due, refresh_peer};

/// Refresh every peer due at `now`; returns how many were fetched and kept.
pub async fn refresh_peers(app: &AppState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let mut kept = 0;
    for state in app.store.peers().await? {
        if !due(&state, now) {
            continue;
        }
        match refresh_peer(app, &state.peer.id, FEDERATION_JOB).await {
            Ok(Ok(())) => kept += 1,
            Ok(Err(refusal)) => tracing::warn!(
                peer = %state.peer.region_code, code = refusal.code, error = %refusal.message,
                "peer lists not refreshed"
            ),
            // Removed meanwhile.
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(kept)
}
