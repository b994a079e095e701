//! Background work: idempotent sweeps that apply the domain's time rules. Each
//! takes `now` as a parameter, so tests (and operators) can run them for any day.

mod cut_over;
mod deadlines;

pub use cut_over::cut_over;
pub use deadlines::sweep_permit_deadlines;

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

/// Sweep deadlines at start and then every `every`, until the process ends;
/// ended attempt windows and expired presentation nonces go at the same time.
pub fn spawn_deadline_sweeper(store: Arc<dyn Store>, every: Duration) {
    tokio::spawn(async move {
        loop {
            match sweep_permit_deadlines(store.as_ref(), chrono::Utc::now()).await {
                Ok(n) if n > 0 => tracing::info!(changed = n, "permit deadlines swept"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "permit deadline sweep failed"),
            }
            if let Err(e) = store.sweep_expired(chrono::Utc::now()).await {
                tracing::warn!(error = %e, "sweep of expired attempts and nonces failed");
            }
            tokio::time::sleep(every).await;
        }
    });
}
