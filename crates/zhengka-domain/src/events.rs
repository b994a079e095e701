//! Domain events: what one context tells the others. They are written to the
//! outbox in the same transaction as the change that caused them, and carry
//! ids and the few facts a subscriber needs, never personal numbers
//! (subscribers query for those).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::RegionCode;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventData {
    #[serde(rename = "permit.approved")]
    PermitApproved { permit_number: String },
    #[serde(rename = "permit.changed")]
    PermitChanged { permit_number: String },
    #[serde(rename = "permit.suspended")]
    PermitSuspended { permit_number: String },
    #[serde(rename = "permit.reinstated")]
    PermitReinstated { permit_number: String },
    #[serde(rename = "permit.cancelled")]
    PermitCancelled {
        permit_number: String,
        ended_on: NaiveDate,
    },
    #[serde(rename = "permit.revoked")]
    PermitRevoked {
        permit_number: String,
        ended_on: NaiveDate,
    },
    #[serde(rename = "permit.expired")]
    PermitExpired {
        permit_number: String,
        ended_on: NaiveDate,
    },
    #[serde(rename = "ssn.issued")]
    SsnIssued {
        account_id: String,
        permit_number: String,
    },
    #[serde(rename = "insurance.started")]
    InsuranceStarted {
        account_id: String,
        start_date: NaiveDate,
    },
    #[serde(rename = "insurance.ended")]
    InsuranceEnded {
        account_id: String,
        ended_on: NaiveDate,
        reason: String,
    },
    #[serde(rename = "card.applied")]
    CardApplied { card_number: String },
    #[serde(rename = "card.produced")]
    CardProduced { card_number: String },
    #[serde(rename = "card.shipped")]
    CardShipped { card_number: String },
    #[serde(rename = "card.delivered")]
    CardDelivered { card_number: String },
    #[serde(rename = "card.frozen")]
    CardFrozen { card_number: String, reason: String },
    #[serde(rename = "card.unfrozen")]
    CardUnfrozen { card_number: String },
    #[serde(rename = "card.replaced")]
    CardReplaced {
        card_number: String,
        new_card_number: String,
    },
    #[serde(rename = "ecard.registered")]
    EcardRegistered {
        holder_id: String,
        permit_number: String,
    },
}

/// Every event type the outbox holds (what NATS publishes), in the order of
/// [`EventData`]; a test checks it against `type_name`.
pub const EVENT_TYPES: [&str; 18] = [
    "permit.approved",
    "permit.changed",
    "permit.suspended",
    "permit.reinstated",
    "permit.cancelled",
    "permit.revoked",
    "permit.expired",
    "ssn.issued",
    "insurance.started",
    "insurance.ended",
    "card.applied",
    "card.produced",
    "card.shipped",
    "card.delivered",
    "card.frozen",
    "card.unfrozen",
    "card.replaced",
    "ecard.registered",
];

impl EventData {
    /// The `type` name, as in the outbox and on webhooks.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::PermitApproved { .. } => "permit.approved",
            Self::PermitChanged { .. } => "permit.changed",
            Self::PermitSuspended { .. } => "permit.suspended",
            Self::PermitReinstated { .. } => "permit.reinstated",
            Self::PermitCancelled { .. } => "permit.cancelled",
            Self::PermitRevoked { .. } => "permit.revoked",
            Self::PermitExpired { .. } => "permit.expired",
            Self::SsnIssued { .. } => "ssn.issued",
            Self::InsuranceStarted { .. } => "insurance.started",
            Self::InsuranceEnded { .. } => "insurance.ended",
            Self::CardApplied { .. } => "card.applied",
            Self::CardProduced { .. } => "card.produced",
            Self::CardShipped { .. } => "card.shipped",
            Self::CardDelivered { .. } => "card.delivered",
            Self::CardFrozen { .. } => "card.frozen",
            Self::CardUnfrozen { .. } => "card.unfrozen",
            Self::CardReplaced { .. } => "card.replaced",
            Self::EcardRegistered { .. } => "ecard.registered",
        }
    }

    /// What the event is about: `{kind, id}`.
    pub fn subject(&self) -> Subject {
        let (kind, id) = match self {
            Self::PermitApproved { permit_number }
            | Self::PermitChanged { permit_number }
            | Self::PermitSuspended { permit_number }
            | Self::PermitReinstated { permit_number }
            | Self::PermitCancelled { permit_number, .. }
            | Self::PermitRevoked { permit_number, .. }
            | Self::PermitExpired { permit_number, .. } => ("permit", permit_number),
            Self::SsnIssued { account_id, .. }
            | Self::InsuranceStarted { account_id, .. }
            | Self::InsuranceEnded { account_id, .. } => ("social_security_account", account_id),
            Self::CardApplied { card_number }
            | Self::CardProduced { card_number }
            | Self::CardShipped { card_number }
            | Self::CardDelivered { card_number }
            | Self::CardFrozen { card_number, .. }
            | Self::CardUnfrozen { card_number }
            | Self::CardReplaced { card_number, .. } => ("card", card_number),
            Self::EcardRegistered { holder_id, .. } => ("ecard_holder", holder_id),
        };
        Subject {
            kind: kind.to_owned(),
            id: id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub kind: String,
    pub id: String,
}

/// One event as the outbox holds it and subscribers receive it:
/// `{id, type, occurred_at, subject, data, region}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub subject: Subject,
    #[serde(flatten)]
    pub data: EventData,
    pub region: RegionCode,
}

impl DomainEvent {
    pub fn new(
        id: String,
        occurred_at: DateTime<Utc>,
        region: RegionCode,
        data: EventData,
    ) -> Self {
        Self {
            id,
            occurred_at,
            subject: data.subject(),
            data,
            region,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_wire_shape_is_the_contract() {
        let e = DomainEvent::new(
            "ev-1".into(),
            Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap(),
            RegionCode::parse("440100").unwrap(),
            EventData::PermitCancelled {
                permit_number: "4401000000000000042".into(),
                ended_on: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            },
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["type"], "permit.cancelled");
        assert_eq!(json["subject"]["kind"], "permit");
        assert_eq!(json["data"]["ended_on"], "2026-12-03");
        assert_eq!(json["region"], "440100");
        assert_eq!(e.data.type_name(), "permit.cancelled");
        let back: DomainEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn every_listed_type_is_an_event() {
        for t in EVENT_TYPES {
            // An empty `data` misses fields, but the type itself must be known.
            let e =
                serde_json::from_value::<EventData>(serde_json::json!({ "type": t, "data": {} }))
                    .map(|_| String::new())
                    .unwrap_or_else(|e| e.to_string());
            assert!(!e.contains("unknown variant"), "{t}: {e}");
        }
    }
}
