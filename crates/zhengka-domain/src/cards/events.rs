//! Recording what happens to a card: the transition, the facts each event
//! needs (a courier and tracking number to ship, a chip and bank account to
//! personalise), and the event line in the card's history.

use chrono::{DateTime, Utc};

use super::card::{Courier, Note, TrackingNumber};
use super::{BankAccount, Card, CardEvent, CardEventType, ChipSerial, transition};
use crate::{FieldError, RuleError};

/// The body of `POST /cards/{n}/events`, parsed.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub courier: Option<Courier>,
    pub tracking_number: Option<TrackingNumber>,
    pub note: Option<Note>,
    pub chip_serial: Option<ChipSerial>,
    pub bank_account: Option<BankAccount>,
}

/// Apply `kind` to `card`. `Replaced` here only retires the old card; the
/// new one is made with [`super::replacement`].
pub fn record(
    card: &mut Card,
    kind: CardEventType,
    input: EventInput,
    permit_valid: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), RuleError> {
    let next = transition(card.state, kind, &card.handover, permit_valid)?;
    match kind {
        CardEventType::Shipped => {
            if input.courier.is_none() {
                return Err(FieldError::required("courier").into());
            }
            if input.tracking_number.is_none() {
                return Err(FieldError::required("tracking_number").into());
            }
        }
        CardEventType::Produced | CardEventType::IssuedAtWindow => personalise(card, &input, now)?,
        _ => {}
    }
    card.state = next;
    card.events.push(CardEvent {
        at: now,
        kind,
        actor: actor.to_owned(),
        courier: input.courier.map(|c| c.as_str().to_owned()),
        tracking_number: input.tracking_number.map(|t| t.as_str().to_owned()),
        note: input.note.map(|n| n.as_str().to_owned()),
    });
    card.version += 1;
    Ok(())
}

/// Chip and bank account go on the card when it is made. A replacement keeps
/// the bank account it had; another one is refused.
fn personalise(card: &mut Card, input: &EventInput, now: DateTime<Utc>) -> Result<(), RuleError> {
    let chip = input
        .chip_serial
        .clone()
        .ok_or_else(|| FieldError::required("chip_serial"))?;
    let account = match (&card.bank_account, &input.bank_account) {
        (Some(kept), Some(given)) if kept != given => {
            return Err(FieldError::new(
                "bank_account",
                "bank_account_differs",
                "a replacement card keeps the bank account of the card it replaces",
            )
            .into());
        }
        (Some(kept), _) => kept.clone(),
        (None, Some(given)) => given.clone(),
        (None, None) => return Err(FieldError::required("bank_account").into()),
    };
    card.chip_serial = Some(chip);
    card.bank_account = Some(account);
    card.issue_date = Some(now.date_naive());
    Ok(())
}
