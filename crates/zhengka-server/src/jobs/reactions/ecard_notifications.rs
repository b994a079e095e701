//! The e-card's reaction: the events a holder should hear of (permit status
//! changes, insurance ended, the card made, shipped, delivered) become a
//! notification of the permit's holder. Events of permits without a holder
//! account ask nothing. One event notifies once: the notification is keyed by
//! the event, and committed with the event's delivery row.

use chrono::{DateTime, Utc};
use zhengka_domain::cards::CardNumber;
use zhengka_domain::ecard::Holder;
use zhengka_domain::ecard::reminders::reminder_for_event;
use zhengka_domain::events::EventData;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_store::{Delivery, OutboxEntry, Store, StoreError, Write};

use crate::jobs::dispatch::Subscriber;
use crate::jobs::reminders::{audit, notify};

pub const SUBSCRIBER: Subscriber = Subscriber {
    name: "ecard_notifications",
    types: &[
        "permit.suspended",
        "permit.reinstated",
        "permit.cancelled",
        "permit.revoked",
        "permit.expired",
        "permit.changed",
        "insurance.ended",
        "card.produced",
        "card.shipped",
        "card.delivered",
    ],
    handle: |store, entry, delivery, now| Box::pin(handle(store, entry, delivery, now)),
};

async fn handle(
    store: &dyn Store,
    entry: &OutboxEntry,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(reminder) = reminder_for_event(&entry.event) else {
        return Ok(false);
    };
    let Some(holder) = holder_of(store, &entry.event.data).await? else {
        return Ok(false);
    };
    let write = |n: &zhengka_store::Notification, now| {
        let mut w = Write::new(audit(n, now));
        w.delivery = Some(delivery);
        w
    };
    // Dated when it happened, so a pass over several events lists them in order.
    let at = entry.event.occurred_at;
    notify(store, &holder.id, (&reminder, at), write, now).await
}

/// The open holder account of the person the event is about, if any.
async fn holder_of(store: &dyn Store, data: &EventData) -> Result<Option<Holder>, StoreError> {
    let permit = match data {
        EventData::InsuranceEnded { account_id, .. } => {
            found(store.get_account(account_id).await)?.map(|a| a.permit_number)
        }
        EventData::CardProduced { card_number }
        | EventData::CardShipped { card_number }
        | EventData::CardDelivered { card_number } => {
            let number = CardNumber::parse(card_number).map_err(StoreError::other)?;
            match found(store.get_card(&number).await)? {
                Some(card) => {
                    found(store.get_account(&card.account_id).await)?.map(|a| a.permit_number)
                }
                None => None,
            }
        }
        other => match other.subject() {
            s if s.kind == "permit" => Some(PermitNumber::parse(&s.id).map_err(StoreError::other)?),
            _ => None,
        },
    };
    match permit {
        Some(n) => found(store.holder_for_permit(&n).await),
        None => Ok(None),
    }
}

fn found<T>(r: Result<T, StoreError>) -> Result<Option<T>, StoreError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}
