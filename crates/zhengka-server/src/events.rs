//! Domain events as the server writes them: ids and time chosen here, the
//! rule of which events a change causes in the domain.

use chrono::{DateTime, Utc};
use zhengka_domain::events::{DomainEvent, EventData};
use zhengka_domain::ids::RegionCode;
use zhengka_domain::permits::application::ApplicationKind;
use zhengka_domain::permits::permit::{Permit, PermitStatus, events_of_change};

pub fn event(region: &RegionCode, data: EventData, now: DateTime<Utc>) -> DomainEvent {
    DomainEvent::new(uuid::Uuid::new_v4().to_string(), now, region.clone(), data)
}

/// The events a permit write causes (see `events_of_change`).
pub fn permit_events(
    before: Option<PermitStatus>,
    after: &Permit,
    kind: Option<ApplicationKind>,
    now: DateTime<Utc>,
) -> Vec<DomainEvent> {
    events_of_change(before, after, kind, now.date_naive())
        .into_iter()
        .map(|data| event(&after.region_code, data, now))
        .collect()
}
