//! The agencies' webhooks: each event of a subscribable type becomes one
//! pending delivery per active subscription that wants it, queued with the
//! event's delivery row in one transaction (an event handled twice queues
//! once). The sending is `jobs/webhook_deliveries.rs`.

use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::verification::webhooks::WEBHOOK_EVENT_TYPES;
use zhengka_store::{Delivery, OutboxEntry, Store, StoreError};

use super::reaction_write;
use crate::jobs::dispatch::Subscriber;

pub const SUBSCRIBER: Subscriber = Subscriber {
    name: "agency_webhooks",
    types: &WEBHOOK_EVENT_TYPES,
    handle: |store, entry, delivery, now| Box::pin(handle(store, entry, delivery, now)),
};

async fn handle(
    store: &dyn Store,
    entry: &OutboxEntry,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let event_type = entry.event.data.type_name();
    let ids: Vec<String> = store
        .subscriptions_for(event_type)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if ids.is_empty() {
        return Ok(false);
    }
    let w = reaction_write(
        "webhook.deliveries_queued",
        ("outbox_event", &entry.event.id),
        json!({ "event_type": event_type, "subscriptions": ids }),
        delivery,
        now,
    );
    store
        .queue_webhook_deliveries(&entry.event.id, event_type, &ids, w)
        .await?;
    Ok(true)
}
