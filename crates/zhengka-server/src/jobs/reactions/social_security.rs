//! Social security's reaction: a permit that ends ends the insurances (end date
//! the permit's end), and the account shows why.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use zhengka_domain::events::EventData;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_domain::social_security::EndReason;
use zhengka_store::{Delivery, OutboxEntry, Store, StoreError};

use super::reaction_write;
use crate::jobs::dispatch::Subscriber;

pub const SUBSCRIBER: Subscriber = Subscriber {
    name: "social_security",
    types: &["permit.cancelled", "permit.revoked", "permit.expired"],
    handle: |store, entry, delivery, now| Box::pin(handle(store, entry, delivery, now)),
};

fn ending(data: &EventData) -> Option<(&str, EndReason, NaiveDate)> {
    match data {
        EventData::PermitCancelled {
            permit_number,
            ended_on,
        } => Some((permit_number, EndReason::PermitCancelled, *ended_on)),
        EventData::PermitRevoked {
            permit_number,
            ended_on,
        } => Some((permit_number, EndReason::PermitRevoked, *ended_on)),
        EventData::PermitExpired {
            permit_number,
            ended_on,
        } => Some((permit_number, EndReason::PermitExpired, *ended_on)),
        _ => None,
    }
}

async fn handle(
    store: &dyn Store,
    entry: &OutboxEntry,
    delivery: Delivery,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some((number, reason, on)) = ending(&entry.event.data) else {
        return Ok(false);
    };
    let number = PermitNumber::parse(number).map_err(StoreError::other)?;
    let mut account = match store.account_for_permit(&number).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    if !account.end_insurances(reason, on, &entry.event.id) {
        return Ok(false);
    }
    account.version += 1;
    let ended = crate::events::event(
        &account.region_code,
        EventData::InsuranceEnded {
            account_id: account.id.clone(),
            ended_on: on,
            reason: reason.as_str().to_owned(),
        },
        now,
    );
    let details = json!({ "reason": reason.as_str(), "ended_on": on, "event": entry.event.id });
    let write = reaction_write(
        "ss_account.insurances_ended",
        ("ss_account", &account.id),
        details,
        delivery,
        now,
    )
    .with_event(ended);
    store.update_account(&account, write).await?;
    Ok(true)
}
