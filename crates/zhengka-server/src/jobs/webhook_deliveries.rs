//! Sending the agencies' webhooks: each pending delivery whose time has come
//! is claimed (a conditional update on its attempt count, so two instances
//! never send one attempt), POSTed with the event as the outbox holds it,
//! signed with its subscription's secret, and its outcome recorded with an
//! audit event: delivered; or retried after 10 s, 1 min, 10 min, 1 h, 6 h;
//! then dead, with the last error kept (an admin may send it again).

use chrono::{DateTime, Utc};
use ring::hmac;
use serde_json::json;
use zhengka_store::{Attempted, Audit, DueWebhook, Store, StoreError, Write};

use super::deliveries::{CLAIM_FOR, Sent, outcome};
use crate::providers::signing::post_signed;

const BATCH: i64 = 50;

/// Sends every due delivery with `client` (`Outgoing::webhooks`: TLS
/// verified against the platform's roots and the operator's CA file).
pub async fn deliver_webhooks(
    store: &dyn Store,
    client: &reqwest::Client,
    now: DateTime<Utc>,
) -> Result<Sent, StoreError> {
    let mut sent = Sent::default();
    loop {
        let due = store.due_webhook_deliveries(now, BATCH).await?;
        if due.is_empty() {
            return Ok(sent);
        }
        for d in due {
            // Another instance took this attempt: it is theirs.
            if !store
                .claim_webhook_delivery(&d.delivery, now + CLAIM_FOR)
                .await?
            {
                continue;
            }
            let attempts = d.delivery.attempts + 1;
            let done = outcome(attempt(client, &d, now).await, attempts, now);
            if let Attempted::Failed { error, retry_at } = &done {
                tracing::warn!(delivery = %d.delivery.id, attempts, %error, dead = retry_at.is_none(), "agency webhook failed");
            }
            sent.count(&done);
            let write = Write::new(audit(&d, attempts, &done, now));
            match store
                .finish_webhook_delivery(&d.delivery.id, attempts, &done, write)
                .await
            {
                Ok(()) => {}
                // The claim lapsed and another instance took the next attempt:
                // its outcome is the one kept.
                Err(StoreError::Conflict { .. }) => {
                    tracing::warn!(delivery = %d.delivery.id, "webhook attempt outlived its claim");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// One attempt: the event JSON as the outbox holds it (`id`, `type`,
/// `occurred_at`, `subject`, `data`, `region`; events carry no personal
/// number), timestamped now.
async fn attempt(
    client: &reqwest::Client,
    d: &DueWebhook,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, d.secret.as_bytes());
    let body = d.payload.clone().into_bytes();
    post_signed(
        client,
        &d.url,
        &key,
        &d.delivery.event_id,
        now.timestamp(),
        body,
    )
    .await
}

fn audit(d: &DueWebhook, attempts: i64, outcome: &Attempted, now: DateTime<Utc>) -> Audit {
    let (action, error) = match outcome {
        Attempted::Delivered => ("webhook.delivered", None),
        Attempted::Failed {
            retry_at: Some(_),
            error,
        } => ("webhook.delivery_failed", Some(error)),
        Attempted::Failed {
            retry_at: None,
            error,
        } => ("webhook.dead", Some(error)),
    };
    Audit {
        at: now,
        actor: "system".into(),
        action,
        entity_type: "webhook_delivery",
        entity_id: d.delivery.id.clone(),
        details: json!({
            "subscription_id": d.delivery.subscription_id,
            "event_id": d.delivery.event_id,
            "attempts": attempts,
            "error": error,
        }),
    }
}
