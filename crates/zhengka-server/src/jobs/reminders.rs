//! The reminder sweep: the time reminders due on the day
//! (`reminders::due_reminders`) for every open holder account, each inserted
//! once by its key (holder, kind, subject, due date). A time reminder can only
//! be due while the permit's end is at most 90 days ahead or its on-site check
//! at most 7, so the sweep reads, keyset-paged, only the holders whose permit
//! has a deadline in those windows, each page with the permits in one query,
//! and asks once per page which notifications exist, so a holder already
//! reminded costs no write. Safe to run twice, or on two instances at once:
//! the unique key decides, inside the insert.

use chrono::{DateTime, Days, Utc};
use serde_json::json;
use zhengka_domain::ecard::Holder;
use zhengka_domain::ecard::reminders::{EXPIRY_DAYS, ONSITE_DAYS, Reminder, due_reminders};
use zhengka_store::{Audit, DueWindow, Notification, Store, StoreError, Write};

/// Holders read per page.
const PAGE: i64 = 500;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    /// Holders read: those with a deadline in a reminder window.
    pub holders: usize,
    pub created: usize,
}

/// The longest lead of a series (90 days before the end, 7 before the check).
fn lead(series: &[(u64, zhengka_domain::ecard::reminders::ReminderKind)]) -> Days {
    Days::new(series.iter().map(|(d, _)| *d).max().unwrap_or(0))
}

pub async fn sweep_reminders(store: &dyn Store, now: DateTime<Utc>) -> Result<Swept, StoreError> {
    let today = now.date_naive();
    let windows = [
        DueWindow::Expiry {
            from: today,
            to: today + lead(&EXPIRY_DAYS),
        },
        DueWindow::Onsite {
            from: today,
            to: today + lead(&ONSITE_DAYS),
        },
    ];
    let mut done = Swept::default();
    for window in windows {
        let mut after = None;
        loop {
            let page = store.reminder_candidates(window, after, PAGE).await?;
            let ids: Vec<&str> = page.items.iter().map(|c| c.holder.id.as_str()).collect();
            let existing = store.notification_keys(&ids).await?;
            for c in &page.items {
                for r in due_reminders(&c.permit, today) {
                    let key = (
                        c.holder.id.clone(),
                        r.kind.as_str().to_owned(),
                        r.subject.clone(),
                        r.due_on.to_string(),
                    );
                    if existing.contains(&key) {
                        continue;
                    }
                    if notify(store, &c.holder, (&r, now), sweep_write, now).await? {
                        done.created += 1;
                    }
                }
            }
            done.holders += page.items.len();
            // Progress, in counts only (no holder or permit number).
            tracing::debug!(
                holders = done.holders,
                created = done.created,
                "reminder sweep"
            );
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
    }
    tracing::info!(
        holders = done.holders,
        created = done.created,
        "reminder sweep done"
    );
    Ok(done)
}

/// The notification `r` makes for `holder`, dated `at`.
pub(crate) fn notification(holder: &Holder, r: &Reminder, at: DateTime<Utc>) -> Notification {
    Notification {
        id: uuid::Uuid::new_v4().to_string(),
        holder_id: holder.id.clone(),
        kind: r.kind,
        subject: r.subject.clone(),
        due_on: r.due_on,
        facts: r.facts.clone(),
        created_at: at,
        read_at: None,
    }
}

/// The audit event of one notification: who and what, never the subject
/// (a permit number) or the text.
pub(crate) fn audit(n: &Notification, now: DateTime<Utc>) -> Audit {
    Audit {
        at: now,
        actor: "system".into(),
        action: "ecard.notification_created",
        entity_type: "ecard_notification",
        entity_id: n.id.clone(),
        details: json!({ "holder_id": n.holder_id, "kind": n.kind.as_str(), "due_on": n.due_on }),
    }
}

fn sweep_write(n: &Notification, now: DateTime<Utc>) -> Write {
    Write::new(audit(n, now))
}

/// Insert the notification of `r`, dated `at`, with the write `write` makes
/// for it on `now`; false when the holder has it already.
pub(crate) async fn notify(
    store: &dyn Store,
    holder: &Holder,
    (r, at): (&Reminder, DateTime<Utc>),
    write: impl FnOnce(&Notification, DateTime<Utc>) -> Write,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = notification(holder, r, at);
    store.insert_notification(&n, write(&n, now)).await
}
