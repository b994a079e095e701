//! Background work: idempotent sweeps that apply the domain's time rules. Each
//! takes `now` as a parameter, so tests (and operators) can run them for any day.

mod card_batches;
mod cut_over;
mod deadlines;
pub mod dispatch;
mod reactions;

pub use card_batches::{batch_applied_cards, spawn_card_batcher};
pub use cut_over::cut_over;
pub use deadlines::sweep_permit_deadlines;
pub use dispatch::{Dispatched, dispatch_once};

use std::sync::Arc;
use std::time::Duration;

use zhengka_store::Store;

/// Publish (sign) the status list every `every`, so the list served to
/// verifiers is never older than that, whatever the request pattern.
pub fn spawn_status_publisher(app: crate::AppState, every: Duration) {
    tokio::spawn(async move {
        loop {
            app.credentials.invalidate_status_list();
            let now = chrono::Utc::now().timestamp();
            if let Err(e) = app.credentials.status_list(app.store.as_ref(), now).await {
                tracing::warn!(error = %e, "status list publication failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Sweep deadlines, delete expired idempotency records, ended attempt windows
/// and expired presentation nonces, at start and then every `every`, until
/// the process ends.
pub fn spawn_deadline_sweeper(store: Arc<dyn Store>, every: Duration) {
    tokio::spawn(async move {
        loop {
            let now = chrono::Utc::now();
            match sweep_permit_deadlines(store.as_ref(), now).await {
                Ok(n) if n > 0 => tracing::info!(changed = n, "permit deadlines swept"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "permit deadline sweep failed"),
            }
            // Lookups ignore expired records already; this only reclaims space.
            match store.purge_expired_idempotency(now).await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "expired idempotency records"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
            }
            if let Err(e) = store.sweep_expired(now).await {
                tracing::warn!(error = %e, "sweep of expired attempts and nonces failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// Deliver outbox events every `every` (and at start), until the process ends.
pub fn spawn_event_dispatcher(app: crate::AppState, every: Duration) {
    tokio::spawn(async move {
        loop {
            match dispatch_once(app.store.as_ref(), chrono::Utc::now()).await {
                Ok(d) if d.applied > 0 => {
                    // Frozen cards and ended permits show in the next list at once.
                    app.credentials.invalidate_status_list();
                    tracing::info!(applied = d.applied, "outbox events applied");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox dispatch failed"),
            }
            tokio::time::sleep(every).await;
        }
    });
}
