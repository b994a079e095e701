//! What a card looks like to each caller: bank account and SSN in full only
//! for card officers (and later the holder), masked for everyone else.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhengka_domain::cards::{Card, CardEvent, CardStatus, DeliveryAddress, Handover, Promise};
use zhengka_domain::employer::Role;
use zhengka_domain::time::WorkingCalendar;

use crate::api::social_security::sees_full_ssn;

#[derive(Serialize)]
pub struct CardView<'a> {
    pub card_number: &'a str,
    pub status: CardStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_from: Option<CardStatus>,
    pub holder_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chinese_name: Option<&'a str>,
    pub nationality: &'a str,
    pub sex: &'a zhengka_domain::permits::application::form::Sex,
    pub date_of_birth: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_ref: Option<&'a str>,
    pub ssn: String,
    pub permit_number: &'a str,
    pub permit_class: &'a zhengka_domain::permits::scoring::WorkerClass,
    pub permit_valid_from: NaiveDate,
    pub permit_valid_to: NaiveDate,
    pub issuing_region: &'a str,
    pub bank_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<String>,
    pub sensitive_masked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chip_serial: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_date: Option<NaiveDate>,
    pub valid_to: NaiveDate,
    pub handover: &'a Handover,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<&'a DeliveryAddress>,
    pub applied_at: DateTime<Utc>,
    pub promise: Promise,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<&'a str>,
    pub status_list: StatusRefView,
    pub events: &'a [CardEvent],
}

#[derive(Serialize)]
pub struct StatusRefView {
    pub list: u32,
    pub idx: u32,
}

/// Card officers see the bank account (PIPL art. 28: need to know).
fn sees_bank_account(role: Role) -> bool {
    matches!(role, Role::CardOfficer | Role::Foreigner)
}

impl<'a> CardView<'a> {
    pub fn of(c: &'a Card, role: Role, today: NaiveDate) -> Self {
        let e = &c.elements;
        let bank = sees_bank_account(role);
        Self {
            card_number: c.card_number.as_str(),
            status: c.state.status,
            frozen_from: c.state.frozen_from,
            holder_name: e.holder_name.as_str(),
            chinese_name: e.chinese_name.as_deref(),
            nationality: e.nationality.as_str(),
            sex: &e.sex,
            date_of_birth: e.date_of_birth,
            photo_ref: e.photo_ref.as_deref(),
            ssn: if sees_full_ssn(role) {
                e.ssn.expose().to_owned()
            } else {
                e.ssn.masked()
            },
            permit_number: e.permit_number.as_str(),
            permit_class: &e.permit_class,
            permit_valid_from: e.permit_valid_from,
            permit_valid_to: e.permit_valid_to,
            issuing_region: e.issuing_region.as_str(),
            bank_code: e.bank_code.as_str(),
            bank_account: c.bank_account.as_ref().map(|b| {
                if bank {
                    b.expose().to_owned()
                } else {
                    b.masked()
                }
            }),
            sensitive_masked: !bank,
            chip_serial: c.chip_serial.as_ref().map(|s| s.as_str()),
            issue_date: c.issue_date,
            valid_to: c.valid_to,
            handover: &c.handover,
            delivery: c.delivery.as_ref(),
            applied_at: c.applied_at,
            promise: c.promise(today, &WorkingCalendar::default()),
            window_minutes: c.window_minutes(),
            batch_id: c.batch_id.as_deref(),
            replaces: c.replaces.as_ref().map(|n| n.as_str()),
            replaced_by: c.replaced_by.as_ref().map(|n| n.as_str()),
            status_list: StatusRefView {
                list: 2,
                idx: c.status_index,
            },
            events: &c.events,
        }
    }
}
