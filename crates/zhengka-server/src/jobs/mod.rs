//! Background work: idempotent sweeps that apply the domain's time rules. Each
//! takes `now` as a parameter, so tests (and operators) can run them for any day.

mod card_batches;
mod cut_over;
mod deadlines;
mod deliveries;
pub mod dispatch;
mod federation;
pub mod metrics;
mod nats_publish;
mod notify_deliveries;
mod reactions;
mod reminders;
pub mod runner;
mod webhook_deliveries;

pub use card_batches::{batch_applied_cards, spawn_card_batcher};
pub use cut_over::cut_over;
pub use deadlines::sweep_permit_deadlines;
pub use deliveries::Sent;
pub use dispatch::{Dispatched, dispatch_once};
pub use federation::refresh_peers;
pub use nats_publish::{NATS_SUBSCRIBER, Published, publish_to_nats};
pub use notify_deliveries::deliver_notifications;
pub use reminders::{Swept, sweep_reminders};
pub use runner::{JobStats, Jobs, Scope};
pub use webhook_deliveries::deliver_webhooks;

use std::time::Duration;

use crate::AppState;
use runner::{JobRun, spawn};

/// The names jobs have in `job_leases` and in `/metrics`.
pub const STATUS_PUBLISHER: &str = "status_list_publication";
pub const DEADLINE_SWEEP: &str = "permit_deadline_sweep";
pub const IDEMPOTENCY_PURGE: &str = "idempotency_purge";
pub const EXPIRED_SWEEP: &str = "expired_attempts_sweep";
pub const EVENT_DISPATCH: &str = "outbox_dispatch";
pub const CARD_BATCHES: &str = "card_production_batches";
pub const REMINDER_SWEEP: &str = "ecard_reminder_sweep";
pub const NOTIFY_DELIVERY: &str = "ecard_notification_delivery";
pub const FEDERATION_REFRESH: &str = "federation_peer_refresh";
pub const WEBHOOK_DELIVERY: &str = "agency_webhook_delivery";
pub const NATS_PUBLICATION: &str = "nats_publication";
/// The leased jobs, each run by one instance at a time.
pub const LEASED: [&str; 10] = [
    DEADLINE_SWEEP,
    IDEMPOTENCY_PURGE,
    EXPIRED_SWEEP,
    EVENT_DISPATCH,
    CARD_BATCHES,
    REMINDER_SWEEP,
    NOTIFY_DELIVERY,
    FEDERATION_REFRESH,
    WEBHOOK_DELIVERY,
    NATS_PUBLICATION,
];
/// How often each instance re-signs its status list: its cache's longest life.
pub const STATUS_PUBLISH_EVERY: Duration = Duration::from_secs(30);

/// Give up this instance's leases (at shutdown).
pub async fn release_leases(app: &AppState) {
    for name in LEASED {
        if let Err(e) = app.store.release_lease(name, app.jobs.holder()).await {
            tracing::warn!(job = name, error = %e, "job lease not released");
        }
    }
}

/// Publish (sign) the status list every `every`, so the list this instance
/// serves is never older than that, whatever the request pattern. Every
/// instance runs it: its effect is this process's cache, and each instance
/// signs the same entries with the same key.
pub fn spawn_status_publisher(app: AppState, every: Duration) {
    spawn(
        app,
        STATUS_PUBLISHER,
        Scope::EveryInstance,
        every,
        |app, now| {
            Box::pin(async move {
                // Re-signed, or built again when a status moved; requests in
                // the meantime are served the list it replaces.
                let now = now.timestamp();
                app.credentials.publish(app.store.as_ref(), now).await?;
                Ok(())
            })
        },
    );
}

/// Sweep deadlines, delete expired idempotency records, ended attempt windows
/// and expired presentation nonces, at start and then every `every`: three
/// leased jobs, so one instance does each.
pub fn spawn_deadline_sweeper(app: AppState, every: Duration) {
    spawn(app.clone(), DEADLINE_SWEEP, Scope::Leased, every, deadlines);
    spawn(
        app.clone(),
        IDEMPOTENCY_PURGE,
        Scope::Leased,
        every,
        |app, now| {
            Box::pin(async move {
                // Lookups ignore expired records already; this only reclaims space.
                let n = app.store.purge_expired_idempotency(now).await?;
                if n > 0 {
                    tracing::info!(deleted = n, "expired idempotency records");
                }
                Ok(())
            })
        },
    );
    spawn(app, EXPIRED_SWEEP, Scope::Leased, every, |app, now| {
        Box::pin(async move {
            app.store.sweep_expired(now).await?;
            // A registration past its 30 minutes can no longer finish.
            app.store.purge_registrations(now).await?;
            Ok(())
        })
    });
}

fn deadlines(app: AppState, now: chrono::DateTime<chrono::Utc>) -> JobRun {
    Box::pin(async move {
        let n = sweep_permit_deadlines(app.store.as_ref(), now).await?;
        if n > 0 {
            // Suspended and revoked permits show in this instance's next list
            // at once; other instances see the change counter move.
            app.credentials.invalidate_status_list();
            tracing::info!(changed = n, "permit deadlines swept");
        }
        Ok(())
    })
}

/// Deliver outbox events every `every` (and at start), until the process ends;
/// one instance at a time (the lease), and each event changes a subscriber
/// once even if two dispatchers ran (the delivery key).
pub fn spawn_event_dispatcher(app: AppState, every: Duration) {
    spawn(app, EVENT_DISPATCH, Scope::Leased, every, |app, now| {
        Box::pin(async move {
            let d = dispatch_once(app.store.as_ref(), now).await?;
            if d.applied > 0 {
                // Frozen cards and ended permits show in the next list at once.
                app.credentials.invalidate_status_list();
                tracing::info!(applied = d.applied, "outbox events applied");
            }
            Ok(())
        })
    });
}

/// Sweep the holders' time reminders at start and then every `every`: one
/// instance at a time, and each reminder once whoever runs (the unique key).
pub fn spawn_reminder_sweeper(app: AppState, every: Duration) {
    spawn(app, REMINDER_SWEEP, Scope::Leased, every, |app, now| {
        Box::pin(async move {
            sweep_reminders(app.store.as_ref(), now).await?;
            Ok(())
        })
    });
}

/// Send pending notifications to the configured webhook every `every`;
/// without one each run does nothing (the deliveries wait).
pub fn spawn_notification_sender(app: AppState, every: Duration) {
    spawn(app, NOTIFY_DELIVERY, Scope::Leased, every, |app, now| {
        Box::pin(async move {
            let Some(hook) = app.providers.notify_webhook.as_ref() else {
                return Ok(());
            };
            let sent = deliver_notifications(app.store.as_ref(), hook, now).await?;
            if sent != Sent::default() {
                tracing::info!(
                    delivered = sent.delivered,
                    retried = sent.retried,
                    dead = sent.dead,
                    "notifications sent"
                );
            }
            Ok(())
        })
    });
}

/// The peer regions' lists, from their URLs (leased: one instance fetches).
pub fn spawn_federation_refresher(app: AppState, every: Duration) {
    spawn(app, FEDERATION_REFRESH, Scope::Leased, every, |app, now| {
        Box::pin(async move {
            let kept = refresh_peers(&app, now).await?;
            if kept > 0 {
                tracing::info!(peers = kept, "peer lists refreshed");
            }
            Ok(())
        })
    });
}

/// Send the agencies' due webhooks every `every`: one instance at a time (the
/// lease), and each attempt once whoever runs (the claim).
pub fn spawn_webhook_sender(app: AppState, every: Duration) {
    spawn(app, WEBHOOK_DELIVERY, Scope::Leased, every, |app, now| {
        Box::pin(async move {
            let client = &app.providers.outgoing.webhooks;
            let sent = deliver_webhooks(app.store.as_ref(), client, now).await?;
            if sent != Sent::default() {
                tracing::info!(
                    delivered = sent.delivered,
                    retried = sent.retried,
                    dead = sent.dead,
                    "agency webhooks sent"
                );
            }
            Ok(())
        })
    });
}

/// Publish new outbox events to NATS JetStream every `every`, when
/// `--nats-url` is set: one instance at a time, in outbox order.
pub fn spawn_nats_publisher(app: AppState, every: Duration) {
    spawn(app, NATS_PUBLICATION, Scope::Leased, every, |app, _now| {
        Box::pin(async move {
            let Some(nats) = app.providers.nats.as_ref() else {
                return Ok(());
            };
            let done = publish_to_nats(app.store.as_ref(), nats).await?;
            if done.published > 0 {
                tracing::info!(published = done.published, "events published to NATS");
            }
            // Counted as the job's failure (metrics); the cursor waits.
            match done.error {
                Some(e) => Err(zhengka_store::StoreError::other(format!("NATS: {e}"))),
                None => Ok(()),
            }
        })
    });
}
