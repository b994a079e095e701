//! `POST /api/v1/cards/{card_number}/events`: what happens to a card, checked
//! against its lifecycle (`illegal_transition` otherwise). `replaced` retires
//! the card and makes its replacement (new number and chip, same SSN and bank
//! account) in the same transaction.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::cards::{
    BankAccount, Card, CardEventType, CardNumber, ChipSerial, Courier, EventInput, NewCard, Note,
    TrackingNumber, record as record_rule, replacement,
};
use zhengka_domain::employer::Role;
use zhengka_domain::events::{DomainEvent, EventData};
use zhengka_domain::permits::permit::PermitStatus;
use zhengka_domain::time::WorkingCalendar;

use super::{CardView, visible_card};
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::{Caller, token};
use crate::credentials::{drawing_again, new_card_status_index};
use crate::http::ApiPath as Path;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct CardEventBody {
    #[serde(rename = "type")]
    pub kind: CardEventType,
    #[serde(default)]
    pub courier: Option<Courier>,
    #[serde(default)]
    pub tracking_number: Option<TrackingNumber>,
    #[serde(default)]
    pub note: Option<Note>,
    #[serde(default)]
    pub chip_serial: Option<ChipSerial>,
    #[serde(default)]
    pub bank_account: Option<BankAccount>,
}

pub async fn post(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(number): Path<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::CardOfficer, Role::Foreigner])?;
    let req: CardEventBody = body.parse()?;
    Ok(record(&app, &caller, key.as_deref(), &number, req).await?.1)
}

/// Record one event on a card; shared by the API and the pages.
pub async fn record(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    number: &str,
    req: CardEventBody,
) -> Result<(Card, Reply), ApiError> {
    caller.require(&[Role::CardOfficer, Role::Foreigner])?;
    drawing_again(|| record_once(app, caller, key, number, req.clone())).await
}

async fn record_once(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    number: &str,
    req: CardEventBody,
) -> Result<(Card, Reply), ApiError> {
    if req.kind == CardEventType::Batched {
        return Err(ApiError::invalid(
            "type",
            "event_not_allowed",
            "cards are batched with POST /api/v1/card-batches",
        ));
    }
    // The holder acts on their own card only, and only to report a loss or
    // ask for the replacement (`holder::own_card_for`).
    let mut card = if caller.user.role == Role::Foreigner {
        super::holder::own_card_for(app, caller, number, req.kind).await?
    } else {
        visible_card(app, caller, number).await?
    };
    let permit = app.store.get_permit(&card.elements.permit_number).await?;
    let permit_valid = permit.status == PermitStatus::Valid;
    let now = Utc::now();
    let kind = req.kind;
    let input = EventInput {
        courier: req.courier,
        tracking_number: req.tracking_number,
        note: req.note,
        chip_serial: req.chip_serial,
        bank_account: req.bank_account,
    };
    let old_version = card.version;
    record_rule(&mut card, kind, input, permit_valid, &caller.user.id, now)?;
    let mut cards = vec![card];
    if kind == CardEventType::Replaced {
        let new = replacement_of(app, &cards[0], caller, now).await?;
        cards[0].replaced_by = Some(new.card_number.clone());
        cards.push(new);
    }
    let today = now.date_naive();
    let views: Vec<_> = cards
        .iter()
        .map(|c| CardView::of(c, caller.user.role, today))
        .collect();
    let body = match views.as_slice() {
        [old, new] => json!({ "card": old, "replacement": new }),
        [one] => json!({ "card": one }),
        _ => unreachable!("one card, or a card and its replacement"),
    };
    let reply = reply(StatusCode::OK, &body)?;
    let old = &cards[0];
    let details = json!({ "type": kind, "from_version": old_version, "status": old.state.status });
    let mut write = audit(
        caller,
        key,
        "card.event_recorded",
        ("card", old.card_number.as_str()),
        details,
        &reply,
    );
    write.events = events_for(&cards, kind, now);
    app.store.save_cards(&cards, write).await?;
    app.credentials.invalidate_status_list();
    let card = cards.swap_remove(0);
    Ok((card, reply))
}

async fn replacement_of(
    app: &AppState,
    old: &Card,
    caller: &Caller,
    now: DateTime<Utc>,
) -> Result<Card, ApiError> {
    let new = NewCard {
        id: uuid::Uuid::new_v4().to_string(),
        card_number: CardNumber::assign(token::random_u64()),
        status_index: new_card_status_index(app.store.as_ref()).await?,
        actor: caller.user.id.clone(),
        now,
    };
    Ok(replacement(old, new, &WorkingCalendar::default()))
}

fn events_for(cards: &[Card], kind: CardEventType, now: DateTime<Utc>) -> Vec<DomainEvent> {
    let card_number = cards[0].card_number.to_string();
    let data = match kind {
        CardEventType::Produced => EventData::CardProduced { card_number },
        CardEventType::Shipped => EventData::CardShipped { card_number },
        CardEventType::Delivered | CardEventType::IssuedAtWindow => {
            EventData::CardDelivered { card_number }
        }
        CardEventType::Lost => EventData::CardFrozen {
            card_number,
            reason: "lost".into(),
        },
        CardEventType::Frozen => EventData::CardFrozen {
            card_number,
            reason: "officer".into(),
        },
        CardEventType::Unfrozen => EventData::CardUnfrozen { card_number },
        CardEventType::Replaced => EventData::CardReplaced {
            card_number,
            new_card_number: cards
                .get(1)
                .map(|c| c.card_number.to_string())
                .unwrap_or_default(),
        },
        CardEventType::Batched => return vec![],
    };
    vec![crate::events::event(
        &cards[0].elements.issuing_region,
        data,
        now,
    )]
}
