//! Sending the holders' notifications to the webhook: each pending delivery
//! whose time has come is claimed (a conditional update on its attempt count,
//! so two instances never send one attempt), sent, and its outcome recorded
//! with an audit event: delivered; or retried after 10 s, 1 min, 10 min, 1 h,
//! 6 h; then dead, with the last error kept.

use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::ecard::HolderStatus;
use zhengka_domain::ecard::reminders::message;
use zhengka_store::{Attempted, Audit, NotificationDelivery, Store, StoreError, Write};

use super::deliveries::{CLAIM_FOR, Sent, outcome};
use crate::providers::notify_webhook::NotifyWebhook;

const BATCH: i64 = 50;

pub async fn deliver_notifications(
    store: &dyn Store,
    hook: &NotifyWebhook,
    now: DateTime<Utc>,
) -> Result<Sent, StoreError> {
    let mut sent = Sent::default();
    loop {
        let due = store.due_deliveries(now, BATCH).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for d in due {
            // Another instance took this attempt: it is theirs.
            if !store.claim_delivery(&d, now + CLAIM_FOR).await? {
                continue;
            }
            let outcome = attempt(store, hook, &d, now).await?;
            sent.count(&outcome);
            let attempts = d.attempts + 1;
            let write = Write::new(audit(&d, attempts, &outcome, now));
            match store
                .finish_delivery(&d.id, attempts, &outcome, write)
                .await
            {
                Ok(()) => {}
                // The claim lapsed and another instance took the next attempt:
                // its outcome is the one kept.
                Err(StoreError::Conflict { .. }) => {
                    tracing::warn!(delivery = %d.id, "notification attempt outlived its claim");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// One attempt of `d`: the body in the holder's language, no personal number.
async fn attempt(
    store: &dyn Store,
    hook: &NotifyWebhook,
    d: &NotificationDelivery,
    now: DateTime<Utc>,
) -> Result<Attempted, StoreError> {
    let n = &d.notification;
    let holder = store.get_holder(&n.holder_id).await?;
    if holder.status == HolderStatus::Closed {
        // The person closed the account: nothing more goes out to them.
        let error = "holder account closed".to_owned();
        return Ok(Attempted::Failed {
            error,
            retry_at: None,
        });
    }
    let lang = holder.lang;
    let text = message(n.kind, &lang, &n.facts);
    let body = json!({
        "id": n.id,
        "holder_id": n.holder_id,
        "kind": n.kind.as_str(),
        "lang": lang,
        "title": text.title,
        "body": text.body,
        "created_at": n.created_at,
    });
    let body = serde_json::to_vec(&body)?;
    let attempts = d.attempts + 1;
    let done = outcome(hook.send(&n.id, now.timestamp(), body).await, attempts, now);
    if let Attempted::Failed { error, retry_at } = &done {
        tracing::warn!(delivery = %d.id, attempts, %error, dead = retry_at.is_none(), "notification webhook failed");
    }
    Ok(done)
}

fn audit(
    d: &NotificationDelivery,
    attempts: i64,
    outcome: &Attempted,
    now: DateTime<Utc>,
) -> Audit {
    let (action, error) = match outcome {
        Attempted::Delivered => ("ecard.notification_delivered", None),
        Attempted::Failed {
            retry_at: Some(_),
            error,
        } => ("ecard.notification_delivery_failed", Some(error)),
        Attempted::Failed {
            retry_at: None,
            error,
        } => ("ecard.notification_dead", Some(error)),
    };
    Audit {
        at: now,
        actor: "system".into(),
        action,
        entity_type: "ecard_delivery",
        entity_id: d.id.clone(),
        details: json!({ "notification_id": d.notification.id, "attempts": attempts, "error": error }),
    }
}
