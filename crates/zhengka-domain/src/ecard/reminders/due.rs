use chrono::{Days, NaiveDate};

use super::{Facts, Reminder, ReminderKind};
use crate::events::{DomainEvent, EventData};
use crate::permits::permit::{OnsiteCheck, Permit};

/// Days before `valid_to` the expiry reminders fall due, nearest last.
pub const EXPIRY_DAYS: [(u64, ReminderKind); 3] = [
    (90, ReminderKind::PermitExpiry90),
    (30, ReminderKind::PermitExpiry30),
    (7, ReminderKind::PermitExpiry7),
];
/// Days before the on-site check's `due_by` its reminders fall due.
pub const ONSITE_DAYS: [(u64, ReminderKind); 2] =
    [(7, ReminderKind::OnsiteDue7), (1, ReminderKind::OnsiteDue1)];

/// What a permit's time reminders depend on, and nothing else: its number
/// (the subject), whether it has ended, and its two deadlines. The sweep reads
/// these from indexed columns, without opening the sealed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlines {
    pub permit_number: String,
    pub ended: bool,
    pub valid_to: NaiveDate,
    /// The on-site check's `due_by` while it is due.
    pub onsite_due_by: Option<NaiveDate>,
}

impl Deadlines {
    pub fn of(permit: &Permit) -> Self {
        Self {
            permit_number: permit.permit_number.as_str().to_owned(),
            ended: permit.status.is_terminal(),
            valid_to: permit.valid_to,
            onsite_due_by: match permit.onsite {
                OnsiteCheck::Due { due_by, .. } => Some(due_by),
                _ => None,
            },
        }
    }
}

/// The time reminders due for `permit` on `today`: of each series (expiry,
/// on-site) only the latest whose day has come, so a reminder missed while
/// the system was down is still sent (the 30-day one on day 25), but not one
/// a nearer reminder has overtaken (no 90-day one once the 30-day one is due).
/// Ended permits get none (their status change is its own notification).
pub fn due_reminders(permit: &Permit, today: NaiveDate) -> Vec<Reminder> {
    reminders_due(&Deadlines::of(permit), today)
}

/// [`due_reminders`] of a permit's [`Deadlines`].
pub fn reminders_due(d: &Deadlines, today: NaiveDate) -> Vec<Reminder> {
    if d.ended {
        return Vec::new();
    }
    let subject = d.permit_number.as_str();
    let mut due = Vec::new();
    due.extend(latest(&EXPIRY_DAYS, d.valid_to, today, subject));
    if let Some(due_by) = d.onsite_due_by {
        due.extend(latest(&ONSITE_DAYS, due_by, today, subject));
    }
    due
}

/// The nearest step of `series` whose day (`deadline` − days) is on or before
/// `today`, while the deadline has not passed.
fn latest(
    series: &[(u64, ReminderKind)],
    deadline: NaiveDate,
    today: NaiveDate,
    subject: &str,
) -> Option<Reminder> {
    if today > deadline {
        return None;
    }
    series
        .iter()
        .filter_map(|(days, kind)| Some((deadline.checked_sub_days(Days::new(*days))?, *kind)))
        .filter(|(on, _)| *on <= today)
        .max_by_key(|(on, _)| *on)
        .map(|(due_on, kind)| Reminder {
            kind,
            subject: subject.to_owned(),
            due_on,
            facts: Facts::of(subject, Some(deadline)),
        })
}

/// What an event tells the holder, if anything: the kind, and the number
/// (permit or card) whose last 4 the message shows. The subject is the event
/// itself, so one event notifies once however often it is delivered, and two
/// suspensions on one day notify twice.
pub fn reminder_for_event(event: &DomainEvent) -> Option<Reminder> {
    use EventData as E;
    use ReminderKind as K;
    let (kind, number, date) = match &event.data {
        E::PermitSuspended { permit_number } => (K::PermitSuspended, permit_number, None),
        E::PermitReinstated { permit_number } => (K::PermitReinstated, permit_number, None),
        E::PermitChanged { permit_number } => (K::PermitChanged, permit_number, None),
        E::PermitCancelled {
            permit_number,
            ended_on,
        } => (K::PermitCancelled, permit_number, Some(*ended_on)),
        E::PermitRevoked {
            permit_number,
            ended_on,
        } => (K::PermitRevoked, permit_number, Some(*ended_on)),
        E::PermitExpired {
            permit_number,
            ended_on,
        } => (K::PermitExpired, permit_number, Some(*ended_on)),
        // The account id is no number of the person's: the text shows none.
        E::InsuranceEnded { ended_on, .. } => (K::InsuranceEnded, &String::new(), Some(*ended_on)),
        E::CardProduced { card_number } => (K::CardProduced, card_number, None),
        E::CardShipped { card_number } => (K::CardShipped, card_number, None),
        E::CardDelivered { card_number } => (K::CardDelivered, card_number, None),
        _ => return None,
    };
    Some(Reminder {
        kind,
        subject: event.id.clone(),
        due_on: event.occurred_at.date_naive(),
        facts: Facts::of(number, date),
    })
}
