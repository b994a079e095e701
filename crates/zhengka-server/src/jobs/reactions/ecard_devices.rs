//! The e-card's reaction: each device's card credential follows the permit
//! and the card (`zhengka_domain::ecard::credential_state`, recomputed from
//! the published queries `get_permit`, `account_for_permit`,
//! `cards_of_account`), so list 3 says `suspended` for a frozen card or a
//! suspended permit and `revoked` once the permit ended. A changed permit
//! (`permit.changed`: new facts) gives every device a new index, and the old
//! one stays revoked: a credential with the old facts stops verifying, and
//! the device fetches the new one.

use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::cards::CardNumber;
use zhengka_domain::ecard::Device;
use zhengka_domain::events::EventData;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_store::{Delivery, OutboxEntry, Store, StoreError};

use super::reaction_write;
use crate::api::ecard::devices::current_state;
use crate::credentials::new_device_status_index;
use crate::jobs::dispatch::Subscriber;

pub const SUBSCRIBER: Subscriber = Subscriber {
    name: "ecard_devices",
    types: &[
        "permit.changed",
        "permit.suspended",
        "permit.reinstated",
        "permit.cancelled",
        "permit.revoked",
        "permit.expired",
        "card.frozen",
        "card.unfrozen",
        "card.replaced",
    ],
    handle: |store, entry, delivery, now| Box::pin(handle(store, entry, delivery, now)),
};

/// The permit an event is about (a card's is the permit on the card).
async fn permit_of(
    store: &dyn Store,
    data: &EventData,
) -> Result<Option<PermitNumber>, StoreError> {
    let number = match data {
        EventData::PermitChanged { permit_number }
        | EventData::PermitSuspended { permit_number }
        | EventData::PermitReinstated { permit_number }
        | EventData::PermitCancelled { permit_number, .. }
        | EventData::PermitRevoked { permit_number, .. }
        | EventData::PermitExpired { permit_number, .. } => permit_number.clone(),
        EventData::CardFrozen { card_number, .. }
        | EventData::CardUnfrozen { card_number }
        | EventData::CardReplaced { card_number, .. } => {
            let n = CardNumber::parse(card_number).map_err(StoreError::other)?;
            match store.get_card(&n).await {
                Ok(card) => card.elements.permit_number.to_string(),
                Err(StoreError::NotFound) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(
        PermitNumber::parse(&number).map_err(StoreError::other)?,
    ))
}

async fn handle(
    store: &dyn Store,
    entry: &OutboxEntry,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(number) = permit_of(store, &entry.event.data).await? else {
        return Ok(false);
    };
    let holder = match store.holder_for_permit(&number).await {
        Ok(h) => h,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    let live: Vec<Device> = store
        .devices_of_holder(&holder.id)
        .await?
        .into_iter()
        .filter(|d| !d.is_revoked())
        .collect();
    if live.is_empty() {
        return Ok(false);
    }
    let state = current_state(store, &holder, false).await?;
    let reissue = matches!(entry.event.data, EventData::PermitChanged { .. });
    let mut changed = Vec::new();
    let mut retired = Vec::new();
    for mut d in live {
        let before = d.clone();
        d.credential_status = state;
        if reissue {
            let old = d.status_index;
            d.status_index = new_device_status_index(store).await?;
            retired.push((d.clone(), old));
        }
        if d != before {
            changed.push(d);
        }
    }
    if changed.is_empty() {
        return Ok(false);
    }
    let ids: Vec<&str> = changed.iter().map(|d| d.id.as_str()).collect();
    let details = json!({
        "devices": ids,
        "credential_status": state.as_str(),
        "reissued": reissue,
        "event": entry.event.id,
        "type": entry.event.data.type_name(),
    });
    let write = reaction_write(
        "ecard.device_credentials_changed",
        ("ecard_holder", &holder.id),
        details,
        delivery,
        now,
    );
    store
        .save_device_credentials(&changed, &retired, write)
        .await?;
    Ok(true)
}
