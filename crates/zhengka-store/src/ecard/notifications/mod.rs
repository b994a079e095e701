//! The holder's notifications (in-app) and their outside deliveries (the
//! webhook to an email/SMS gateway). `ecard_notifications_once` (unique on
//! holder, kind, subject, due date) makes the insert idempotent: a sweep run
//! twice, or two at once, notifies once. A delivery is claimed by a
//! conditional update on its attempt count, so two instances never send the
//! same attempt.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use zhengka_domain::ecard::reminders::{Facts, ReminderKind};

use crate::{Page, SqlStore, StoreError, Write};

mod deliveries;
mod inbox;

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: String,
    pub holder_id: String,
    pub kind: ReminderKind,
    pub subject: String,
    pub due_on: NaiveDate,
    /// What the message shows (stored as the `payload`): no personal number.
    pub facts: Facts,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// A delivery to the webhook, with its notification.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationDelivery {
    pub id: String,
    pub notification: Notification,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Attempted {
    Delivered,
    /// Failed; tried again at `retry_at`, or dead when `None`.
    Failed {
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// Insert `n` with its pending delivery and `w`, in one transaction;
    /// `false` (nothing written, no audit event) when the holder already has
    /// that (kind, subject, due date).
    async fn insert_notification(&self, n: &Notification, w: Write) -> Result<bool, StoreError>;
    /// The holder's notifications, newest first, after the keyset cursor
    /// `(created_at, id)`; only the unread ones when `unread_only`.
    async fn list_notifications(
        &self,
        holder_id: &str,
        unread_only: bool,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<Notification>, StoreError>;
    async fn unread_notifications(&self, holder_id: &str) -> Result<i64, StoreError>;
    /// Mark the holder's notification `id` read (once: `w` is written only
    /// the first time). Another holder's is `NotFound`.
    async fn mark_notification_read(
        &self,
        holder_id: &str,
        id: &str,
        w: Write,
    ) -> Result<Notification, StoreError>;
    /// Pending deliveries whose next attempt is due by `now`, oldest first.
    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<NotificationDelivery>, StoreError>;
    /// Take the next attempt of `d` (as read): counts it and holds the
    /// delivery until `until`; `false` when another instance took it first.
    async fn claim_delivery(
        &self,
        d: &NotificationDelivery,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Record how the claimed attempt (`attempts` as after the claim) ended.
    async fn finish_delivery(
        &self,
        id: &str,
        attempts: i64,
        outcome: &Attempted,
        w: Write,
    ) -> Result<(), StoreError>;
    async fn delivery_of(&self, notification_id: &str) -> Result<NotificationDelivery, StoreError>;
}

#[async_trait]
impl NotificationStore for SqlStore {
    async fn insert_notification(&self, n: &Notification, w: Write) -> Result<bool, StoreError> {
        self.notification_insert(n, w).await
    }
    async fn list_notifications(
        &self,
        holder_id: &str,
        unread_only: bool,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<Notification>, StoreError> {
        self.notification_list(holder_id, unread_only, after, limit)
            .await
    }
    async fn unread_notifications(&self, holder_id: &str) -> Result<i64, StoreError> {
        self.notification_unread(holder_id).await
    }
    async fn mark_notification_read(
        &self,
        holder_id: &str,
        id: &str,
        w: Write,
    ) -> Result<Notification, StoreError> {
        self.notification_read(holder_id, id, w).await
    }
    async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<NotificationDelivery>, StoreError> {
        self.delivery_due(now, limit).await
    }
    async fn claim_delivery(
        &self,
        d: &NotificationDelivery,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.delivery_claim(d, until).await
    }
    async fn finish_delivery(
        &self,
        id: &str,
        attempts: i64,
        outcome: &Attempted,
        w: Write,
    ) -> Result<(), StoreError> {
        self.delivery_finish(id, attempts, outcome, w).await
    }
    async fn delivery_of(&self, notification_id: &str) -> Result<NotificationDelivery, StoreError> {
        self.delivery_get(notification_id).await
    }
}
