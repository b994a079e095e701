//! Reminders and notifications of the holder: what is due on a day for a
//! permit (expiry at 90, 30 and 7 days; the on-site check at 7 and 1 days),
//! and what another context's event tells the holder. Each is keyed
//! `(holder, kind, subject, due_on)`, so a sweep run twice notifies once.

mod due;
mod kind;
mod messages;
mod retry;

pub use due::{
    Deadlines, EXPIRY_DAYS, ONSITE_DAYS, due_reminders, reminder_for_event, reminders_due,
};
pub use kind::ReminderKind;
pub use messages::{Message, message};
pub use retry::{DELIVERY_BACKOFF, retry_after};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One notification to make: the key without the holder, and the facts its
/// text needs (never a personal number: at most a number's last 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub kind: ReminderKind,
    /// The permit number for a time reminder, the event id for an event.
    pub subject: String,
    pub due_on: NaiveDate,
    pub facts: Facts,
}

/// What the message shows: the last 4 characters of the number concerned
/// (permit or card) and the date the message is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub last4: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

impl Facts {
    pub fn of(number: &str, date: Option<NaiveDate>) -> Self {
        let chars: Vec<char> = number.chars().collect();
        let last4 = chars[chars.len().saturating_sub(4)..].iter().collect();
        Self { last4, date }
    }
}

#[cfg(test)]
mod tests;
