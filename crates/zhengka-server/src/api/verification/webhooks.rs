//! Agency webhook subscriptions (admin): `{name, url, event_types[],
//! organisation_id?}`, the signing secret generated here and shown once (at
//! creation and at each rotation; kept sealed so the server can sign, never
//! in an idempotency record, the audit trail or a log), switched off by
//! `DELETE`; the deliveries of a subscription by status, and a redelivery of
//! a delivered or dead one.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::verification::webhooks::{
    DeliveryStatus, Subscription, SubscriptionChange, SubscriptionInput, change_subscription,
    check_subscription,
};
use zhengka_store::{Audit, StoreError, Write};

use crate::api::{Reply, limit, reply};
use crate::auth::{Caller, token};
use crate::http::{ApiError, ApiPath, ApiQuery, JsonBody, invalid_at};
use crate::{AppState, jobs};

fn write(
    caller: &Caller,
    action: &'static str,
    entity: (&'static str, &str),
    details: serde_json::Value,
) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action,
        entity_type: entity.0,
        entity_id: entity.1.to_owned(),
        details,
    })
}

fn missing() -> ApiError {
    ApiError::Missing {
        code: "webhook_not_found",
        message: "no such webhook subscription",
    }
}

async fn subscription(app: &AppState, id: &str) -> Result<Subscription, ApiError> {
    match app.store.get_subscription(id).await {
        Err(StoreError::NotFound) => Err(missing()),
        other => Ok(other?),
    }
}

/// A fresh signing secret: 256 random bits.
fn new_secret() -> String {
    format!("whsec_{}", token::generate())
}

#[derive(Serialize)]
struct WithSecret<'a> {
    #[serde(flatten)]
    subscription: &'a Subscription,
    /// Shown this once; the server keeps it sealed to sign with.
    secret: String,
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let input: SubscriptionInput = body.parse()?;
    let id = uuid::Uuid::new_v4().to_string();
    let s = check_subscription(&input, id, Utc::now()).map_err(|(f, e)| invalid_at(&f, e))?;
    if let Some(o) = &s.organisation_id {
        match app.store.get_organisation(o).await {
            Err(StoreError::NotFound) => {
                return Err(ApiError::invalid(
                    "organisation_id",
                    "unknown_organisation",
                    "no such relying party",
                ));
            }
            other => other?,
        };
    }
    let secret = new_secret();
    let w = write(
        &caller,
        "webhook.subscribed",
        ("webhook_subscription", &s.id),
        json!({ "url": s.url, "event_types": s.event_types, "organisation_id": s.organisation_id }),
    );
    app.store.insert_subscription(&s, &secret, w).await?;
    // Not kept for an idempotent replay: the secret must never be stored.
    reply(
        StatusCode::CREATED,
        &WithSecret {
            subscription: &s,
            secret,
        },
    )
}

pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let items = app.store.list_subscriptions(1000).await?;
    reply(
        StatusCode::OK,
        &json!({ "items": items, "next_cursor": null }),
    )
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    reply(StatusCode::OK, &subscription(&app, &id).await?)
}

async fn change(
    app: &AppState,
    caller: &Caller,
    id: &str,
    change: &SubscriptionChange,
    action: &'static str,
) -> Result<Reply, ApiError> {
    let old = subscription(app, id).await?;
    let s = change_subscription(&old, change, Utc::now()).map_err(|(f, e)| invalid_at(&f, e))?;
    let w = write(
        caller,
        action,
        ("webhook_subscription", &s.id),
        json!({ "url": s.url, "event_types": s.event_types, "active": s.active }),
    );
    match app.store.update_subscription(&s, w).await {
        Err(StoreError::NotFound) => return Err(missing()),
        other => other?,
    }
    reply(StatusCode::OK, &s)
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let c: SubscriptionChange = body.parse()?;
    change(&app, &caller, &id, &c, "webhook.updated").await
}

/// `DELETE`: switched off, kept with its deliveries (the record of what
/// was sent stays).
pub async fn deactivate(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let off = SubscriptionChange {
        active: Some(false),
        ..SubscriptionChange::default()
    };
    change(&app, &caller, &id, &off, "webhook.deactivated").await
}

pub async fn rotate_secret(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let mut s = subscription(&app, &id).await?;
    let secret = new_secret();
    let now = Utc::now();
    let w = write(
        &caller,
        "webhook.secret_rotated",
        ("webhook_subscription", &id),
        json!({}),
    );
    match app
        .store
        .rotate_subscription_secret(&id, &secret, now, w)
        .await
    {
        Err(StoreError::NotFound) => return Err(missing()),
        other => other?,
    }
    s.updated_at = now;
    reply(
        StatusCode::OK,
        &WithSecret {
            subscription: &s,
            secret,
        },
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

fn decode_cursor(raw: &str) -> Result<(String, String), ApiError> {
    raw.split_once('|')
        .filter(|(at, id)| chrono::DateTime::parse_from_rfc3339(at).is_ok() && !id.is_empty())
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list"))
}

pub async fn deliveries(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeliveriesQuery>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let status = q
        .status
        .as_deref()
        .map(DeliveryStatus::parse)
        .transpose()
        .map_err(|e| invalid_at("status", e))?;
    let limit = limit(q.limit)?;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    subscription(&app, &id).await?;
    let page = app
        .store
        .list_webhook_deliveries(&id, status, after, limit)
        .await?;
    reply(
        StatusCode::OK,
        &json!({
            "items": page.items,
            "next_cursor": page.next_cursor.map(|(at, id)| format!("{at}|{id}")),
        }),
    )
}

/// A delivered or dead delivery goes back to pending, due now, with the
/// whole retry schedule again; audited.
pub async fn redeliver(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let not_found = ApiError::Missing {
        code: "delivery_not_found",
        message: "no such webhook delivery",
    };
    let before = match app.store.get_webhook_delivery(&id).await {
        Err(StoreError::NotFound) => return Err(not_found),
        other => other?,
    };
    let pending = || ApiError::Conflict {
        code: "delivery_pending",
        message: "this delivery is still on its way".into(),
        field: None,
    };
    if !before.status.may_redeliver() {
        return Err(pending());
    }
    let w = write(
        &caller,
        "webhook.redelivery",
        ("webhook_delivery", &id),
        json!({ "subscription_id": before.subscription_id, "event_id": before.event_id,
                "was": before.status, "attempts": before.attempts }),
    );
    match app.store.redeliver_webhook(&id, Utc::now(), w).await {
        Ok(d) => reply(StatusCode::OK, &d),
        Err(StoreError::NotFound) => Err(not_found),
        // Another admin's redelivery (or the sender) moved it first.
        Err(StoreError::Conflict { .. }) => Err(pending()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /api/v1/admin/deliver-webhooks`: send the due deliveries now (the
/// job also runs every 5 s); returns `{delivered, retried, dead}`.
pub async fn deliver_now(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let client = &app.providers.outgoing.webhooks;
    let sent = jobs::deliver_webhooks(app.store.as_ref(), client, Utc::now()).await?;
    reply(StatusCode::OK, &sent)
}
