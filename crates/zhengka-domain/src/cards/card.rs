//! The physical card: every element it carries (seed 003: more than ten), read
//! from the permit and the social security account, never typed again.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{BankAccount, CardEventType, CardNumber, CardState, CardStatus, ChipSerial, Handover};
use crate::ids::{Nationality, PassportName, RegionCode};
use crate::permits::application::BoundedText;
use crate::permits::application::form::Sex;
use crate::permits::permit::{Permit, PermitNumber, PermitStatus};
use crate::permits::scoring::WorkerClass;
use crate::social_security::{Account, Ssn};
use crate::time::WorkingCalendar;
use crate::{FieldError, RuleError};

pub type BankCode = BoundedText<2, 20>;
pub type Courier = BoundedText<1, 60>;
pub type TrackingNumber = BoundedText<4, 40>;
pub type Note = BoundedText<1, 500>;
pub type Recipient = BoundedText<1, 100>;
pub type Phone = BoundedText<5, 30>;
pub type PostalAddress = BoundedText<1, 300>;

/// Working days from the one online application to the card in hand.
pub const PROMISE_WORKING_DAYS: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryAddress {
    pub recipient: Recipient,
    pub phone: Phone,
    pub address: PostalAddress,
    pub region_code: RegionCode,
}

/// The elements printed on and stored in the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardElements {
    pub holder_name: PassportName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chinese_name: Option<String>,
    pub nationality: Nationality,
    pub sex: Sex,
    pub date_of_birth: NaiveDate,
    /// The holder's photo (a material id of the permit application), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_ref: Option<String>,
    pub ssn: Ssn,
    pub permit_number: PermitNumber,
    pub permit_class: WorkerClass,
    pub permit_valid_from: NaiveDate,
    pub permit_valid_to: NaiveDate,
    pub issuing_region: RegionCode,
    pub bank_code: BankCode,
}

impl CardElements {
    pub fn from_sources(permit: &Permit, account: &Account, bank_code: BankCode) -> Self {
        Self {
            holder_name: permit.holder_name.clone(),
            chinese_name: None,
            nationality: permit.nationality.clone(),
            sex: permit.sex,
            date_of_birth: permit.date_of_birth,
            photo_ref: None,
            ssn: account.ssn.clone(),
            permit_number: permit.permit_number.clone(),
            permit_class: permit.class,
            permit_valid_from: permit.valid_from,
            permit_valid_to: permit.valid_to,
            issuing_region: account.region_code.clone(),
            bank_code,
        }
    }

    /// The permit facts again after an extension or change (one source).
    pub fn refresh_from(&mut self, permit: &Permit) {
        self.holder_name = permit.holder_name.clone();
        self.permit_class = permit.class;
        self.permit_valid_from = permit.valid_from;
        self.permit_valid_to = permit.valid_to;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardEvent {
    pub at: DateTime<Utc>,
    #[serde(rename = "type")]
    pub kind: CardEventType,
    pub actor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub courier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub id: String,
    pub card_number: CardNumber,
    pub account_id: String,
    pub employer_id: String,
    pub elements: CardElements,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chip_serial: Option<ChipSerial>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    /// The card never outlives its permit.
    pub valid_to: NaiveDate,
    pub handover: Handover,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryAddress>,
    pub state: CardState,
    pub applied_at: DateTime<Utc>,
    pub promised_by: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<CardNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<CardNumber>,
    /// The card credential's entry in the card status list.
    pub status_index: u32,
    pub events: Vec<CardEvent>,
    pub version: i64,
}

/// What an application for a card says.
#[derive(Debug, Clone)]
pub struct CardApplication {
    pub handover: Handover,
    pub delivery: Option<DeliveryAddress>,
    pub bank_code: BankCode,
}

/// Identity of the new card, chosen by the caller (randomness, ids, clock).
pub struct NewCard {
    pub id: String,
    pub card_number: CardNumber,
    pub status_index: u32,
    pub actor: String,
    pub now: DateTime<Utc>,
}

/// Apply for the card of `account`'s holder. "One card per person" (no other
/// card of the account that is not replaced) is the store's unique index.
pub fn apply(
    permit: &Permit,
    account: &Account,
    req: CardApplication,
    new: NewCard,
    calendar: &WorkingCalendar,
) -> Result<Card, RuleError> {
    if permit.status != PermitStatus::Valid {
        return Err(RuleError::conflict(
            "permit_not_valid",
            format!("the permit is {}", permit.status.as_str()),
        ));
    }
    if account.ended.is_some() {
        return Err(RuleError::conflict(
            "account_ended",
            "the social security account's insurances have ended",
        ));
    }
    match (&req.handover, &req.delivery) {
        (Handover::Delivery, None) => return Err(FieldError::required("delivery").into()),
        (Handover::ServiceHall, Some(_)) => {
            return Err(FieldError::new(
                "delivery",
                "delivery_with_pickup",
                "give either a delivery address or pickup, not both",
            )
            .into());
        }
        _ => {}
    }
    let today = new.now.date_naive();
    Ok(Card {
        id: new.id,
        card_number: new.card_number,
        account_id: account.id.clone(),
        employer_id: permit.employer_id.clone(),
        elements: CardElements::from_sources(permit, account, req.bank_code),
        chip_serial: None,
        bank_account: None,
        issue_date: None,
        valid_to: permit.valid_to,
        handover: req.handover,
        delivery: req.delivery,
        state: CardState {
            status: CardStatus::Applied,
            frozen_from: None,
        },
        applied_at: new.now,
        promised_by: calendar.add_working_days(today, PROMISE_WORKING_DAYS),
        batch_id: None,
        replaces: None,
        replaced_by: None,
        status_index: new.status_index,
        events: vec![],
        version: 0,
    })
}

/// The replacement of `old`: a new card number and chip, the same SSN, bank
/// and bank account; applied again, with a new promise.
pub fn replacement(old: &Card, new: NewCard, calendar: &WorkingCalendar) -> Card {
    let today = new.now.date_naive();
    Card {
        id: new.id,
        card_number: new.card_number,
        chip_serial: None,
        issue_date: None,
        state: CardState {
            status: CardStatus::Applied,
            frozen_from: None,
        },
        applied_at: new.now,
        promised_by: calendar.add_working_days(today, PROMISE_WORKING_DAYS),
        batch_id: None,
        replaces: Some(old.card_number.clone()),
        replaced_by: None,
        status_index: new.status_index,
        events: vec![],
        version: 0,
        ..old.clone()
    }
}

/// Where a card stands against the 10-working-day promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Promise {
    pub promised_by: NaiveDate,
    pub working_days_left: i64,
    pub overdue: bool,
}

impl Card {
    pub fn promise(&self, today: NaiveDate, calendar: &WorkingCalendar) -> Promise {
        let kept = self.state.status.is_in_hand()
            || matches!(self.state.status, CardStatus::Replaced | CardStatus::Frozen);
        Promise {
            promised_by: self.promised_by,
            working_days_left: calendar.working_days_between(today, self.promised_by),
            overdue: !kept && today > self.promised_by,
        }
    }

    /// Minutes from application to handover at the window (seed 001: under 20).
    pub fn window_minutes(&self) -> Option<i64> {
        self.events
            .iter()
            .find(|e| e.kind == CardEventType::IssuedAtWindow)
            .map(|e| (e.at - self.applied_at).num_minutes())
    }
}
