//! The outbox dispatcher: reads each subscriber's pending events in order and
//! hands them to its handler. A handler commits its change, its own events and
//! the delivery in one transaction, keyed by event id, so an event delivered
//! twice (a crash between delivery and bookkeeping) changes once.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use zhengka_store::{Delivery, OutboxEntry, Store, StoreError};

use super::reactions;

pub type Handled<'a> = Pin<Box<dyn Future<Output = Result<bool, StoreError>> + Send + 'a>>;

/// One subscriber: its name (its cursor), the event types it wants, and its
/// handler. The handler returns false when the event asked nothing of it.
pub struct Subscriber {
    pub name: &'static str,
    pub types: &'static [&'static str],
    pub handle: for<'a> fn(&'a dyn Store, &'a OutboxEntry, Delivery, DateTime<Utc>) -> Handled<'a>,
}

pub const SUBSCRIBERS: &[Subscriber] = &[
    reactions::social_security::SUBSCRIBER,
    reactions::cards::SUBSCRIBER,
    reactions::ecard_notifications::SUBSCRIBER,
    reactions::ecard_devices::SUBSCRIBER,
    reactions::agency_webhooks::SUBSCRIBER,
];

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Dispatched {
    /// Events that changed something.
    pub applied: usize,
    /// Events that asked nothing of their subscriber.
    pub skipped: usize,
}

/// Deliver every pending event to every subscriber, oldest first. A failing
/// handler stops its subscriber's pass (the event is retried next pass); the
/// others go on.
pub async fn dispatch_once(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Dispatched, StoreError> {
    let mut done = Dispatched::default();
    let mut first_error = None;
    for s in SUBSCRIBERS {
        loop {
            let batch = store.pending_events(s.name, s.types, 100).await?;
            if batch.is_empty() {
                break;
            }
            match run_batch(store, s, &batch, now, &mut done).await {
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(subscriber = s.name, error = %e, "event handler failed; retried next pass");
                    first_error.get_or_insert(e);
                    break;
                }
            }
        }
    }
    match first_error {
        Some(e) if done == Dispatched::default() => Err(e),
        _ => Ok(done),
    }
}

async fn run_batch(
    store: &dyn Store,
    s: &Subscriber,
    batch: &[OutboxEntry],
    now: DateTime<Utc>,
    done: &mut Dispatched,
) -> Result<(), StoreError> {
    for entry in batch {
        let delivery = Delivery {
            subscriber: s.name,
            event_id: entry.event.id.clone(),
            seq: entry.seq,
        };
        match (s.handle)(store, entry, delivery.clone(), now).await {
            Ok(true) => done.applied += 1,
            Ok(false) => {
                store.skip_event(delivery).await?;
                done.skipped += 1;
            }
            // Applied before (its delivery row exists): nothing to do.
            Err(StoreError::Conflict { what }) if what == "outbox_delivery" => done.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
