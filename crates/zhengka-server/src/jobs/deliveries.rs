//! What both webhook senders (holder notifications, agency webhooks) share:
//! the claim's length, what a pass counts, and an attempt's outcome under
//! the domain's retry schedule.

use chrono::{DateTime, Duration, Utc};
use zhengka_domain::verification::webhooks::retry_after;
use zhengka_store::Attempted;

/// How long a claimed attempt is held: well over a webhook's timeout, so an
/// instance that died mid-attempt gives it back soon.
pub(crate) const CLAIM_FOR: Duration = Duration::minutes(2);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Sent {
    pub delivered: usize,
    pub retried: usize,
    pub dead: usize,
}

impl Sent {
    pub(crate) fn count(&mut self, outcome: &Attempted) {
        match outcome {
            Attempted::Delivered => self.delivered += 1,
            Attempted::Failed {
                retry_at: Some(_), ..
            } => self.retried += 1,
            Attempted::Failed { retry_at: None, .. } => self.dead += 1,
        }
    }
}

/// The outcome of attempt number `attempts` (1 for the first) that
/// answered `sent` at `now`: delivered, or retried after the schedule's
/// wait, or dead after the last.
pub(crate) fn outcome(sent: Result<(), String>, attempts: i64, now: DateTime<Utc>) -> Attempted {
    match sent {
        Ok(()) => Attempted::Delivered,
        Err(error) => {
            let tried = u32::try_from(attempts).unwrap_or(u32::MAX);
            let retry_at = retry_after(tried).map(|wait| now + wait);
            Attempted::Failed { error, retry_at }
        }
    }
}
