use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::RuleError;
use crate::ids::{PassportName, RegionCode};
use crate::permits::permit::{Permit, PermitStatus};
use crate::social_security::{Account, EnrolmentRequest, SocialSecurityPolicy, Ssn, open_account};
use crate::testing::{d, permit};
use crate::time::WorkingCalendar;

fn now() -> DateTime<Utc> {
    // A Wednesday.
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
}

fn account(p: &Permit) -> Account {
    let req = EnrolmentRequest {
        name: PassportName::parse("ANNO BERNHARD DEDERICHS").unwrap(),
        insurances: vec![],
        start_date: d("2026-12-01"),
    };
    let ssn = Ssn::assign(&p.region_code, 5);
    open_account(
        p,
        &req,
        &SocialSecurityPolicy::default(),
        ("acc".into(), now(), ssn, "u".into()),
    )
    .unwrap()
}

fn new_card(n: u64) -> NewCard {
    NewCard {
        id: format!("card-{n}"),
        card_number: CardNumber::assign(n),
        status_index: n as u32,
        actor: "officer".into(),
        now: now(),
    }
}

fn delivery() -> CardApplication {
    CardApplication {
        handover: Handover::Delivery,
        delivery: Some(DeliveryAddress {
            recipient: Recipient::parse("Anno Dederichs").unwrap(),
            phone: Phone::parse("+86 138 0000 0000").unwrap(),
            address: PostalAddress::parse("1 Tianhe Road").unwrap(),
            region_code: RegionCode::parse("440106").unwrap(),
        }),
        bank_code: BankCode::parse("ICBC").unwrap(),
    }
}

fn applied() -> Card {
    let p = permit();
    apply(
        &p,
        &account(&p),
        delivery(),
        new_card(1),
        &WorkingCalendar::default(),
    )
    .unwrap()
}

fn personal() -> EventInput {
    EventInput {
        chip_serial: Some(ChipSerial::parse("A1B2C3D4E5").unwrap()),
        bank_account: Some(BankAccount::parse("4111111111111111").unwrap()),
        ..EventInput::default()
    }
}

fn conflict_code(e: RuleError) -> &'static str {
    match e {
        RuleError::Conflict { code, .. } => code,
        RuleError::Invalid(f) => f.error.code,
    }
}

#[test]
fn the_card_carries_the_permit_and_account_elements() {
    let c = applied();
    let p = permit();
    assert_eq!(c.elements.permit_number, p.permit_number);
    assert_eq!(c.elements.permit_valid_to, p.valid_to);
    assert_eq!(c.elements.holder_name, p.holder_name);
    assert_eq!(c.elements.ssn, account(&p).ssn);
    assert_eq!(c.valid_to, p.valid_to, "never outlives the permit");
    assert_eq!(c.state.status, CardStatus::Applied);
}

#[test]
fn promised_within_ten_working_days() {
    let c = applied();
    // Wednesday 2 December + 10 working days = Wednesday 16 December.
    assert_eq!(c.promised_by, d("2026-12-16"));
    let cal = WorkingCalendar::default();
    let p = c.promise(d("2026-12-14"), &cal);
    assert_eq!((p.working_days_left, p.overdue), (2, false));
    let p = c.promise(d("2026-12-17"), &cal);
    assert_eq!((p.working_days_left, p.overdue), (-1, true));
    let mut delivered = c.clone();
    delivered.state.status = CardStatus::Delivered;
    assert!(!delivered.promise(d("2026-12-30"), &cal).overdue);
}

#[test]
fn only_a_valid_permit_and_open_account_get_a_card() {
    let mut p = permit();
    let acc = account(&p);
    p.status = PermitStatus::Cancelled;
    let e = apply(
        &p,
        &acc,
        delivery(),
        new_card(2),
        &WorkingCalendar::default(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "permit_not_valid");
    let p = permit();
    let mut acc = account(&p);
    acc.end_insurances(
        crate::social_security::EndReason::PermitCancelled,
        d("2027-01-01"),
        "e",
    );
    let e = apply(
        &p,
        &acc,
        delivery(),
        new_card(2),
        &WorkingCalendar::default(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "account_ended");
}

#[test]
fn delivery_needs_an_address_and_pickup_none() {
    let p = permit();
    let mut req = delivery();
    req.delivery = None;
    let e = apply(
        &p,
        &account(&p),
        req,
        new_card(3),
        &WorkingCalendar::default(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "required");
    let mut req = delivery();
    req.handover = Handover::ServiceHall;
    let e = apply(
        &p,
        &account(&p),
        req,
        new_card(3),
        &WorkingCalendar::default(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "delivery_with_pickup");
}

#[test]
fn shipping_needs_courier_and_tracking_and_production_a_chip() {
    let mut c = applied();
    record(
        &mut c,
        CardEventType::Batched,
        EventInput::default(),
        true,
        "job",
        now(),
    )
    .unwrap();
    let e = record(
        &mut c,
        CardEventType::Produced,
        EventInput::default(),
        true,
        "o",
        now(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "required");
    record(
        &mut c,
        CardEventType::Produced,
        personal(),
        true,
        "o",
        now(),
    )
    .unwrap();
    assert_eq!(c.issue_date, Some(d("2026-12-02")));
    let e = record(
        &mut c,
        CardEventType::Shipped,
        EventInput::default(),
        true,
        "o",
        now(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "required");
    let ship = EventInput {
        courier: Some(Courier::parse("EMS").unwrap()),
        tracking_number: Some(TrackingNumber::parse("EMS123456").unwrap()),
        ..EventInput::default()
    };
    record(&mut c, CardEventType::Shipped, ship, true, "o", now()).unwrap();
    record(
        &mut c,
        CardEventType::Delivered,
        EventInput::default(),
        true,
        "o",
        now(),
    )
    .unwrap();
    assert_eq!(c.state.status, CardStatus::Delivered);
    assert_eq!(c.events.len(), 4);
    assert_eq!(c.events[2].tracking_number.as_deref(), Some("EMS123456"));
}

#[test]
fn illegal_transitions_change_nothing() {
    let mut c = applied();
    let before = c.clone();
    let e = record(
        &mut c,
        CardEventType::Delivered,
        EventInput::default(),
        true,
        "o",
        now(),
    )
    .unwrap_err();
    assert_eq!(conflict_code(e), "illegal_transition");
    assert_eq!(c, before);
}

#[test]
fn window_issuance_is_timed() {
    let mut c = applied();
    let later = now() + chrono::Duration::minutes(14);
    record(
        &mut c,
        CardEventType::IssuedAtWindow,
        personal(),
        true,
        "o",
        later,
    )
    .unwrap();
    assert_eq!(c.window_minutes(), Some(14));
}

#[test]
fn a_replacement_keeps_ssn_and_bank_account_with_a_new_number() {
    let mut old = applied();
    record(
        &mut old,
        CardEventType::IssuedAtWindow,
        personal(),
        true,
        "o",
        now(),
    )
    .unwrap();
    record(
        &mut old,
        CardEventType::Lost,
        EventInput::default(),
        true,
        "holder",
        now(),
    )
    .unwrap();
    assert_eq!(old.state.status, CardStatus::Frozen);
    let mut new = replacement(&old, new_card(9), &WorkingCalendar::default());
    record(
        &mut old,
        CardEventType::Replaced,
        EventInput::default(),
        true,
        "o",
        now(),
    )
    .unwrap();
    assert_eq!(old.state.status, CardStatus::Replaced);
    assert_ne!(new.card_number, old.card_number);
    assert_eq!(new.elements.ssn, old.elements.ssn);
    assert_eq!(new.bank_account, old.bank_account);
    assert_eq!(new.replaces.as_ref(), Some(&old.card_number));
    assert_eq!(
        (new.state.status, new.chip_serial.is_none()),
        (CardStatus::Applied, true)
    );
    // The bank account stays; another one is refused.
    record(
        &mut new,
        CardEventType::Batched,
        EventInput::default(),
        true,
        "job",
        now(),
    )
    .unwrap();
    let other = EventInput {
        bank_account: Some(BankAccount::parse("5555555555554444").unwrap()),
        ..personal()
    };
    let e = record(&mut new, CardEventType::Produced, other, true, "o", now()).unwrap_err();
    assert_eq!(conflict_code(e), "bank_account_differs");
    let chip_only = EventInput {
        bank_account: None,
        ..personal()
    };
    record(
        &mut new,
        CardEventType::Produced,
        chip_only,
        true,
        "o",
        now(),
    )
    .unwrap();
}

#[test]
fn return_files_are_all_or_nothing_with_line_errors() {
    let a = CardNumber::assign(11);
    let b = CardNumber::assign(12);
    let batch = vec![a.clone(), b.clone()];
    let good = format!(
        "{{\"card_number\":\"{a}\",\"chip_serial\":\"CHIP0001\",\"bank_account\":\"4111111111111111\"}}\n\n{{\"card_number\":\"{b}\",\"chip_serial\":\"CHIP0002\",\"bank_account\":\"5555555555554444\"}}\n"
    );
    assert_eq!(parse_return_file(&good, &batch).unwrap().len(), 2);
    let bad = format!(
        "{{\"card_number\":\"{a}\",\"chip_serial\":\"CHIP0001\",\"bank_account\":\"4111111111111112\"}}\nnot json\n{{\"card_number\":\"{a}\",\"chip_serial\":\"CHIP0003\",\"bank_account\":\"4111111111111111\"}}\n{{\"card_number\":\"{}\",\"chip_serial\":\"CHIP0004\",\"bank_account\":\"4111111111111111\"}}\n",
        CardNumber::assign(99)
    );
    let errors = parse_return_file(&bad, &batch).unwrap_err();
    let got: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.field.as_deref(), e.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, Some("bank_account"), "invalid_bank_account_check"),
            (2, None, "invalid_json"),
            (4, Some("card_number"), "card_not_in_batch"),
        ]
    );
    assert_eq!(
        parse_return_file("\n", &batch).unwrap_err()[0].code,
        "empty_file"
    );
}

#[test]
fn a_duplicate_line_is_refused() {
    let a = CardNumber::assign(11);
    let line = format!(
        "{{\"card_number\":\"{a}\",\"chip_serial\":\"CHIP0001\",\"bank_account\":\"4111111111111111\"}}"
    );
    let errors = parse_return_file(&format!("{line}\n{line}"), &[a]).unwrap_err();
    assert_eq!(
        (errors[0].line, errors[0].code.as_str()),
        (2, "duplicate_card")
    );
}
