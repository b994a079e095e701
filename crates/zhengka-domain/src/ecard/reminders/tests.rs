use std::collections::BTreeSet;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::events::{DomainEvent, EventData};
use crate::ids::RegionCode;
use crate::permits::permit::{OnsiteCheck, Permit, PermitStatus};
use crate::testing::{d, permit};

fn ending(valid_to: &str) -> Permit {
    let mut p = permit();
    p.valid_to = d(valid_to);
    p
}

fn kinds(p: &Permit, today: &str) -> Vec<(ReminderKind, NaiveDate)> {
    due_reminders(p, d(today))
        .into_iter()
        .map(|r| (r.kind, r.due_on))
        .collect()
}

#[test]
fn the_90_day_reminder_is_due_85_days_before_the_end() {
    let p = ending("2027-12-31");
    let due = due_reminders(&p, d("2027-10-07"));
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, ReminderKind::PermitExpiry90);
    assert_eq!(due[0].due_on, d("2027-10-02"));
    assert_eq!(due[0].subject, p.permit_number.as_str());
    assert_eq!(due[0].facts.date, Some(d("2027-12-31")));
}

#[test]
fn nothing_is_due_before_90_days_or_after_the_end() {
    let p = ending("2027-12-31");
    assert!(kinds(&p, "2027-10-01").is_empty());
    assert!(kinds(&p, "2028-01-01").is_empty());
}

#[test]
fn a_missed_reminder_is_sent_late_but_an_overtaken_one_not() {
    let p = ending("2027-12-31");
    // Day 25 before the end: the 30-day one (missed on day 30), not the 90-day one.
    assert_eq!(
        kinds(&p, "2027-12-06"),
        vec![(ReminderKind::PermitExpiry30, d("2027-12-01"))]
    );
    assert_eq!(
        kinds(&p, "2027-12-31"),
        vec![(ReminderKind::PermitExpiry7, d("2027-12-24"))]
    );
}

#[test]
fn ended_permits_get_no_time_reminders() {
    let mut p = ending("2027-12-31");
    p.status = PermitStatus::Cancelled;
    assert!(kinds(&p, "2027-12-06").is_empty());
}

#[test]
fn the_onsite_deadline_reminds_7_and_1_days_before_while_pending() {
    let mut p = ending("2029-12-31");
    p.onsite = OnsiteCheck::Due {
        entry_date: d("2027-01-01"),
        due_by: d("2027-01-31"),
    };
    assert!(kinds(&p, "2027-01-23").is_empty());
    assert_eq!(
        kinds(&p, "2027-01-24"),
        vec![(ReminderKind::OnsiteDue7, d("2027-01-24"))]
    );
    assert_eq!(
        kinds(&p, "2027-01-31"),
        vec![(ReminderKind::OnsiteDue1, d("2027-01-30"))]
    );
    assert!(kinds(&p, "2027-02-01").is_empty());
    // Done, or never required (class A): none.
    p.onsite = OnsiteCheck::NotRequired;
    assert!(kinds(&p, "2027-01-30").is_empty());
}

fn event(data: EventData) -> DomainEvent {
    let at = Utc.with_ymd_and_hms(2027, 3, 4, 5, 6, 7).unwrap();
    DomainEvent::new(
        "ev-1".into(),
        at,
        RegionCode::parse("440100").unwrap(),
        data,
    )
}

#[test]
fn events_become_notifications_keyed_by_the_event() {
    let r = reminder_for_event(&event(EventData::CardShipped {
        card_number: "ZK1234567890".into(),
    }))
    .unwrap();
    assert_eq!(r.kind, ReminderKind::CardShipped);
    assert_eq!(r.subject, "ev-1");
    assert_eq!(r.due_on, d("2027-03-04"));
    assert_eq!(r.facts.last4, "7890");
    let frozen = event(EventData::CardFrozen {
        card_number: "ZK1234567890".into(),
        reason: "lost".into(),
    });
    assert_eq!(reminder_for_event(&frozen), None);
    let cancelled = reminder_for_event(&event(EventData::PermitCancelled {
        permit_number: "4401000000000000042".into(),
        ended_on: d("2027-03-04"),
    }))
    .unwrap();
    assert_eq!(cancelled.kind, ReminderKind::PermitCancelled);
    assert_eq!(cancelled.facts.last4, "0042");
}

#[test]
fn every_message_exists_in_both_languages_without_the_full_number() {
    let facts = Facts::of("4401000000000000042", Some(d("2027-12-31")));
    for kind in ReminderKind::ALL {
        assert_eq!(ReminderKind::parse(kind.as_str()), Some(kind));
        let zh = message(kind, "zh", &facts);
        let en = message(kind, "en", &facts);
        assert_ne!(zh, en, "{kind:?}");
        for m in [zh, en] {
            assert!(!m.title.is_empty() && !m.body.is_empty());
            assert!(!m.body.contains("4401000000000000042"), "{kind:?}");
            assert!(!m.body.contains("{"), "{kind:?}");
        }
    }
}

#[test]
fn deliveries_back_off_then_die() {
    let waits: Vec<_> = (1..=6)
        .map(|n| retry_after(n).map(|w| w.num_seconds()))
        .collect();
    assert_eq!(
        waits,
        vec![Some(10), Some(60), Some(600), Some(3600), Some(21600), None]
    );
}

proptest! {
    /// Swept on any subset of days, each expiry reminder is sent at most once,
    /// never after a nearer one, and the last day's sweep sends the 7-day one.
    #[test]
    fn sweeps_on_any_days_send_each_reminder_once_in_order(
        offset in 0u64..2000,
        days in proptest::collection::btree_set(0u64..=100, 0..40),
    ) {
        let valid_to = d("2027-01-01") + Days::new(offset);
        let p = ending(&valid_to.to_string());
        let mut sent: BTreeSet<(ReminderKind, NaiveDate)> = BTreeSet::new();
        let mut order = Vec::new();
        // Furthest from the end first; the last day is always swept.
        let mut swept = days;
        swept.insert(0);
        for before in swept.iter().rev() {
            let today = valid_to - Days::new(*before);
            for r in due_reminders(&p, today) {
                prop_assert!(r.due_on <= today);
                if sent.insert((r.kind, r.due_on)) {
                    order.push(r.kind);
                }
            }
        }
        prop_assert!(order.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(order.last(), Some(&ReminderKind::PermitExpiry7));
    }
}
