//! The reminder sweep: over every open holder account, page by page, the time
//! reminders due on the day (`reminders::due_reminders`), each inserted once
//! by its key (holder, kind, subject, due date). Safe to run twice, or on two
//! instances at once: the unique key decides, inside the insert.

use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::ecard::Holder;
use zhengka_domain::ecard::reminders::{Reminder, due_reminders};
use zhengka_store::{Audit, Notification, Store, StoreError, Write};

/// Holders read per page.
const PAGE: i64 = 200;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    pub holders: usize,
    pub created: usize,
}

pub async fn sweep_reminders(store: &dyn Store, now: DateTime<Utc>) -> Result<Swept, StoreError> {
    let today = now.date_naive();
    let mut done = Swept::default();
    let mut after = None;
    loop {
        let page = store.list_holders(after, PAGE).await?;
        for holder in &page.items {
            let permit = match store.get_permit(&holder.permit_number).await {
                Ok(p) => p,
                Err(StoreError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            for r in due_reminders(&permit, today) {
                if notify(store, holder, (&r, now), sweep_write, now).await? {
                    done.created += 1;
                }
            }
        }
        done.holders += page.items.len();
        // Progress, in counts only (no holder or permit number).
        tracing::info!(
            holders = done.holders,
            created = done.created,
            "reminder sweep"
        );
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
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
