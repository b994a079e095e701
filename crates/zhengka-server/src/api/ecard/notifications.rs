//! The holder's notifications: `GET /api/v1/ecard/notifications`
//! (`?limit=&cursor=&unread=true`, newest first, with the unread count) and
//! `POST /api/v1/ecard/notifications/{id}/read`. The texts are in the holder's
//! language, made from the message catalogue; another holder's notification
//! does not exist (404).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::ecard::Holder;
use zhengka_domain::ecard::reminders::message;
use zhengka_store::{Audit, Notification, StoreError, Write};

use super::own_holder;
use crate::AppState;
use crate::api::{Reply, limit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiPath, ApiQuery};

#[derive(Serialize)]
pub struct NotificationView {
    pub id: String,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl NotificationView {
    pub fn of(n: &Notification, lang: &str) -> Self {
        let text = message(n.kind, lang, &n.facts);
        Self {
            id: n.id.clone(),
            kind: n.kind.as_str(),
            title: text.title,
            body: text.body,
            due_on: n.due_on,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    unread: Option<String>,
}

/// `?unread=true|false`, with the field named when it is neither.
fn unread_only(raw: Option<&str>) -> Result<bool, ApiError> {
    match raw {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(ApiError::invalid(
            "unread",
            "invalid_boolean",
            "unread is true or false",
        )),
    }
}

#[derive(Serialize)]
struct ListView {
    items: Vec<NotificationView>,
    next_cursor: Option<String>,
    unread: i64,
}

/// A page of the holder's notifications and the unread count; shared by the
/// API and the page.
pub struct Found {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
    pub unread: i64,
}

pub async fn find(
    app: &AppState,
    holder: &Holder,
    unread_only: bool,
    cursor: Option<&str>,
    limit: i64,
) -> Result<Found, ApiError> {
    let after = cursor.map(decode_cursor).transpose()?;
    let page = app
        .store
        .list_notifications(&holder.id, unread_only, after, limit)
        .await?;
    Ok(Found {
        items: page.items,
        next_cursor: page.next_cursor.map(|(at, id)| format!("{at}|{id}")),
        unread: app.store.unread_notifications(&holder.id).await?,
    })
}

fn decode_cursor(raw: &str) -> Result<(String, String), ApiError> {
    raw.split_once('|')
        .filter(|(at, id)| DateTime::parse_from_rfc3339(at).is_ok() && !id.is_empty())
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list"))
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let limit = limit(q.limit)?;
    let unread = unread_only(q.unread.as_deref())?;
    let found = find(&app, &holder, unread, q.cursor.as_deref(), limit).await?;
    let items = found
        .items
        .iter()
        .map(|n| NotificationView::of(n, &holder.lang))
        .collect();
    reply(
        StatusCode::OK,
        &ListView {
            items,
            next_cursor: found.next_cursor,
            unread: found.unread,
        },
    )
}

/// Mark the holder's notification `id` read (again: no change); shared by
/// the API and the page.
pub async fn mark_read(
    app: &AppState,
    caller: &Caller,
    holder: &Holder,
    id: &str,
) -> Result<Notification, ApiError> {
    let w = Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action: "ecard.notification_read",
        entity_type: "ecard_notification",
        entity_id: id.to_owned(),
        details: json!({ "holder_id": holder.id }),
    });
    match app.store.mark_notification_read(&holder.id, id, w).await {
        Ok(n) => Ok(n),
        Err(StoreError::NotFound) => Err(ApiError::NotFound),
        Err(e) => Err(e.into()),
    }
}

pub async fn read(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let n = mark_read(&app, &caller, &holder, &id).await?;
    reply(StatusCode::OK, &NotificationView::of(&n, &holder.lang))
}
