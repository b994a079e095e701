//! Agency webhook subscriptions (the signing secret sealed by the vault: it
//! must sign, so it cannot be a hash) and their deliveries: one row per event
//! and subscription (`webhook_deliveries_once`), queued in the same
//! transaction as the subscriber's outbox delivery, so an event handled twice
//! queues once. A delivery is claimed by a conditional update on its attempt
//! count, like the holders' notifications, so two instances never send one
//! attempt.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zhengka_domain::verification::webhooks::{DeliveryStatus, Subscription};

use crate::{Attempted, Page, SqlStore, StoreError, Write};

mod deliveries;
mod subscriptions;

/// One event on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WebhookDelivery {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A due delivery with what sending it needs: the subscription's URL and
/// secret (opened from the vault) and the event as the outbox holds it.
#[derive(Clone)]
pub struct DueWebhook {
    pub delivery: WebhookDelivery,
    pub url: String,
    pub secret: String,
    pub payload: String,
}

/// The secret never prints.
impl std::fmt::Debug for DueWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DueWebhook({:?}, {}, secret ***)",
            self.delivery.id, self.url
        )
    }
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Insert `s` with its signing secret (sealed).
    async fn insert_subscription(
        &self,
        s: &Subscription,
        secret: &str,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Replace the URL, event types and active flag of `s`.
    async fn update_subscription(&self, s: &Subscription, w: Write) -> Result<(), StoreError>;
    /// Replace the signing secret; the old one signs nothing more.
    async fn rotate_subscription_secret(
        &self,
        id: &str,
        secret: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    async fn get_subscription(&self, id: &str) -> Result<Subscription, StoreError>;
    /// Newest first.
    async fn list_subscriptions(&self, limit: i64) -> Result<Vec<Subscription>, StoreError>;
    /// The active subscriptions that want `event_type`.
    async fn subscriptions_for(&self, event_type: &str) -> Result<Vec<Subscription>, StoreError>;
    /// Queue `event_id` for each of `subscription_ids`, with `w` (which carries
    /// the subscriber's outbox delivery) in one transaction.
    async fn queue_webhook_deliveries(
        &self,
        event_id: &str,
        event_type: &str,
        subscription_ids: &[String],
        w: Write,
    ) -> Result<(), StoreError>;
    /// Pending deliveries of active subscriptions due by `now`, oldest first.
    async fn due_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueWebhook>, StoreError>;
    /// Take the next attempt of `d` (as read): counts it and holds it until
    /// `until`; `false` when another instance took it first.
    async fn claim_webhook_delivery(
        &self,
        d: &WebhookDelivery,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Record how the claimed attempt (`attempts` as after the claim) ended.
    async fn finish_webhook_delivery(
        &self,
        id: &str,
        attempts: i64,
        outcome: &Attempted,
        w: Write,
    ) -> Result<(), StoreError>;
    /// A subscription's deliveries, newest first, after the keyset cursor
    /// `(created_at, id)`, of one status if given.
    async fn list_webhook_deliveries(
        &self,
        subscription_id: &str,
        status: Option<DeliveryStatus>,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<WebhookDelivery>, StoreError>;
    async fn get_webhook_delivery(&self, id: &str) -> Result<WebhookDelivery, StoreError>;
    /// Put a delivered or dead delivery back to pending, due at `at`, with
    /// the full retry schedule again; a pending one is `Conflict`.
    async fn redeliver_webhook(
        &self,
        id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<WebhookDelivery, StoreError>;
}

#[async_trait]
impl WebhookStore for SqlStore {
    async fn insert_subscription(
        &self,
        s: &Subscription,
        secret: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        self.subscription_insert(s, secret, w).await
    }
    async fn update_subscription(&self, s: &Subscription, w: Write) -> Result<(), StoreError> {
        self.subscription_update(s, w).await
    }
    async fn rotate_subscription_secret(
        &self,
        id: &str,
        secret: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        self.subscription_rotate(id, secret, at, w).await
    }
    async fn get_subscription(&self, id: &str) -> Result<Subscription, StoreError> {
        self.subscription_get(id).await
    }
    async fn list_subscriptions(&self, limit: i64) -> Result<Vec<Subscription>, StoreError> {
        self.subscription_list(limit).await
    }
    async fn subscriptions_for(&self, event_type: &str) -> Result<Vec<Subscription>, StoreError> {
        self.subscriptions_wanting(event_type).await
    }
    async fn queue_webhook_deliveries(
        &self,
        event_id: &str,
        event_type: &str,
        subscription_ids: &[String],
        w: Write,
    ) -> Result<(), StoreError> {
        self.webhook_queue(event_id, event_type, subscription_ids, w)
            .await
    }
    async fn due_webhook_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueWebhook>, StoreError> {
        self.webhook_due(now, limit).await
    }
    async fn claim_webhook_delivery(
        &self,
        d: &WebhookDelivery,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.webhook_claim(d, until).await
    }
    async fn finish_webhook_delivery(
        &self,
        id: &str,
        attempts: i64,
        outcome: &Attempted,
        w: Write,
    ) -> Result<(), StoreError> {
        self.webhook_finish(id, attempts, outcome, w).await
    }
    async fn list_webhook_deliveries(
        &self,
        subscription_id: &str,
        status: Option<DeliveryStatus>,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<WebhookDelivery>, StoreError> {
        self.webhook_list(subscription_id, status, after, limit)
            .await
    }
    async fn get_webhook_delivery(&self, id: &str) -> Result<WebhookDelivery, StoreError> {
        self.webhook_get(id).await
    }
    async fn redeliver_webhook(
        &self,
        id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<WebhookDelivery, StoreError> {
        self.webhook_redeliver(id, at, w).await
    }
}
