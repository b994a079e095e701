//! How each context reacts to the others' events (subscribers of the outbox).

pub mod agency_webhooks;
pub mod cards;
pub mod ecard_devices;
pub mod ecard_notifications;
pub mod social_security;

use chrono::{DateTime, Utc};
use zhengka_store::{Audit, Delivery, Write};

/// The write of a reaction: a system audit event and the delivery it completes.
pub(crate) fn reaction_write(
    action: &'static str,
    entity: (&'static str, &str),
    details: serde_json::Value,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Write {
    let mut w = Write::new(Audit {
        at: now,
        actor: "system".into(),
        action,
        entity_type: entity.0,
        entity_id: entity.1.to_owned(),
        details,
    });
    w.delivery = Some(delivery);
    w
}
