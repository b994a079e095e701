//! The cards' reaction: a card never outlives its permit (permit ended → card
//! frozen), and a changed permit's facts go onto the card (one source).

use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::cards::{Card, CardEventType, EventInput, Note, record};
use zhengka_domain::events::EventData;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_store::{Delivery, OutboxEntry, Store, StoreError};

use super::reaction_write;
use crate::jobs::dispatch::Subscriber;

pub const SUBSCRIBER: Subscriber = Subscriber {
    name: "cards",
    types: &[
        "permit.cancelled",
        "permit.revoked",
        "permit.expired",
        "permit.changed",
    ],
    handle: |store, entry, delivery, now| Box::pin(handle(store, entry, delivery, now)),
};

async fn handle(
    store: &dyn Store,
    entry: &OutboxEntry,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let (number, ended) = match &entry.event.data {
        EventData::PermitCancelled { permit_number, .. } => {
            (permit_number, Some("permit_cancelled"))
        }
        EventData::PermitRevoked { permit_number, .. } => (permit_number, Some("permit_revoked")),
        EventData::PermitExpired { permit_number, .. } => (permit_number, Some("permit_expired")),
        EventData::PermitChanged { permit_number } => (permit_number, None),
        _ => return Ok(false),
    };
    let number = PermitNumber::parse(number).map_err(StoreError::other)?;
    let account = match store.account_for_permit(&number).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let live: Vec<Card> = store
        .cards_of_account(&account.id)
        .await?
        .into_iter()
        .filter(|c| {
            c.replaced_by.is_none() && c.state.status != zhengka_domain::cards::CardStatus::Replaced
        })
        .collect();
    let (changed, events) = match ended {
        Some(reason) => freeze(live, reason, entry, now),
        None => refresh(store, live, &number).await?,
    };
    if changed.is_empty() {
        return Ok(false);
    }
    let numbers: Vec<&str> = changed.iter().map(|c| c.card_number.as_str()).collect();
    let details =
        json!({ "cards": numbers, "event": entry.event.id, "type": entry.event.data.type_name() });
    let mut write = reaction_write("card.reacted", ("card", numbers[0]), details, delivery, now);
    write.events = events;
    store.save_cards(&changed, write).await?;
    Ok(true)
}

fn freeze(
    live: Vec<Card>,
    reason: &str,
    entry: &OutboxEntry,
    now: DateTime<Utc>,
) -> (Vec<Card>, Vec<zhengka_domain::events::DomainEvent>) {
    let mut changed = Vec::new();
    let mut events = Vec::new();
    for mut card in live {
        let input = EventInput {
            note: Note::parse(reason).ok(),
            ..EventInput::default()
        };
        if record(
            &mut card,
            CardEventType::Frozen,
            input,
            false,
            "system",
            now,
        )
        .is_ok()
        {
            events.push(crate::events::event(
                &entry.event.region,
                EventData::CardFrozen {
                    card_number: card.card_number.to_string(),
                    reason: reason.to_owned(),
                },
                now,
            ));
            changed.push(card);
        }
    }
    (changed, events)
}

async fn refresh(
    store: &dyn Store,
    live: Vec<Card>,
    number: &PermitNumber,
) -> Result<(Vec<Card>, Vec<zhengka_domain::events::DomainEvent>), StoreError> {
    let permit = store.get_permit(number).await?;
    let mut changed = Vec::new();
    for mut card in live {
        let before = card.elements.clone();
        card.elements.refresh_from(&permit);
        if card.elements != before || card.valid_to != permit.valid_to {
            card.valid_to = permit.valid_to;
            card.version += 1;
            changed.push(card);
        }
    }
    Ok((changed, vec![]))
}
