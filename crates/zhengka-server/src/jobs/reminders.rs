//! The reminder sweep: the time reminders due on the day
//! (`reminders::due_reminders`) for every open holder account, each inserted
//! once by its key (holder, kind, subject, due date). A time reminder can only
//! be due while the permit's end is at most 90 days ahead or its on-site check
//! at most 7, so the sweep reads, keyset-paged, only the holders whose permit
//! has a deadline in those windows, each page with the permits' deadlines in
//! one query (read from indexes alone), and asks once per page which
//! notifications exist, so a holder already reminded costs no write. A page's
//! new notifications are written at once (one group commit), while the next
//! page is read. Safe to run twice, or on two instances at once: the unique
//! key decides, inside the insert.

use chrono::{DateTime, Days, Utc};
use serde_json::json;
use zhengka_domain::ecard::reminders::{EXPIRY_DAYS, ONSITE_DAYS, Reminder, reminders_due};
use zhengka_store::{Audit, DueWindow, Notification, ReminderCandidate, Store, StoreError, Write};

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
        let mut page = store.reminder_candidates(window, None, PAGE).await?;
        loop {
            // The next page is read while this one's notifications are written.
            let next = async {
                match &page.next_cursor {
                    Some(c) => Some(
                        store
                            .reminder_candidates(window, Some(c.clone()), PAGE)
                            .await,
                    ),
                    None => None,
                }
            };
            let (next, created) =
                futures_util::future::join(next, remind(store, &page.items, now)).await;
            done.created += created?;
            done.holders += page.items.len();
            // Progress, in counts only (no holder or permit number).
            tracing::debug!(
                holders = done.holders,
                created = done.created,
                "reminder sweep"
            );
            match next {
                Some(next) => page = next?,
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

/// Write the notifications due on `now`'s day for one page of candidates that
/// they do not have yet; how many were created.
async fn remind(
    store: &dyn Store,
    page: &[ReminderCandidate],
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let today = now.date_naive();
    let ids: Vec<&str> = page.iter().map(|c| c.holder_id.as_str()).collect();
    let existing = store.notification_keys(&ids).await?;
    let missing: Vec<(&str, Reminder)> = page
        .iter()
        .flat_map(|c| {
            let due = reminders_due(&c.deadlines, today);
            due.into_iter().map(move |r| (c.holder_id.as_str(), r))
        })
        .filter(|(h, r)| !existing.contains(&key(h, r)))
        .collect();
    // All at once: the store commits concurrent writes together, so a page
    // costs one commit, not one per notification.
    let written = futures_util::future::join_all(
        missing
            .iter()
            .map(|(h, r)| notify(store, h, (r, now), sweep_write, now)),
    )
    .await;
    let mut created = 0;
    for w in written {
        created += usize::from(w?);
    }
    Ok(created)
}

fn key(holder_id: &str, r: &Reminder) -> zhengka_store::NotificationKey {
    (
        holder_id.to_owned(),
        r.kind.as_str().to_owned(),
        r.subject.clone(),
        r.due_on.to_string(),
    )
}

/// The notification `r` makes for the holder `holder_id`, dated `at`.
pub(crate) fn notification(holder_id: &str, r: &Reminder, at: DateTime<Utc>) -> Notification {
    Notification {
        id: uuid::Uuid::new_v4().to_string(),
        holder_id: holder_id.to_owned(),
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

/// Insert the notification of `r` for the holder `holder_id`, dated `at`,
/// with the write `write` makes for it on `now`; false when the holder has it
/// already.
pub(crate) async fn notify(
    store: &dyn Store,
    holder_id: &str,
    (r, at): (&Reminder, DateTime<Utc>),
    write: impl FnOnce(&Notification, DateTime<Utc>) -> Write,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = notification(holder_id, r, at);
    store.insert_notification(&n, write(&n, now)).await
}
