//! The holder's log: `GET /api/v1/ecard/verifications` lists every check of
//! the holder's credentials (online, and offline gates' uploads) with the
//! organisation, purpose, time and result, newest first; `GET
//! /api/v1/ecard/service-uses` what the organisations recorded after a check.
//! Both `?limit=&cursor=`; the holder sees only their own.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zhengka_domain::ecard::Holder;
use zhengka_store::{ServiceUse, VerificationEntry};

use super::own_holder;
use crate::AppState;
use crate::api::{Reply, limit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// One check as the holder reads it: who asked is the organisation, never
/// the person or credential inside it.
#[derive(Serialize)]
pub struct CheckView {
    pub id: String,
    pub at: DateTime<Utc>,
    pub organisation_name: String,
    pub purpose: String,
    pub credential_kind: String,
    pub result: String,
    pub reason: Option<String>,
    pub offline: bool,
}

impl From<VerificationEntry> for CheckView {
    fn from(e: VerificationEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            organisation_name: e.organisation_name,
            purpose: e.purpose,
            credential_kind: e.credential_kind,
            result: e.result,
            reason: e.reason,
            offline: e.offline,
        }
    }
}

#[derive(Serialize)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

fn cursor(raw: Option<&str>) -> Result<Option<(String, String)>, ApiError> {
    raw.map(|raw| {
        raw.split_once('|')
            .filter(|(at, id)| DateTime::parse_from_rfc3339(at).is_ok() && !id.is_empty())
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .ok_or_else(|| {
                ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list")
            })
    })
    .transpose()
}

/// A page of rows read one beyond `limit`: the extra one says there is more.
fn paged<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Listed<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next_cursor = if more { rows.last().map(key) } else { None };
    Listed {
        items: rows,
        next_cursor,
    }
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The holder's checks; shared by the API and the page.
pub async fn checks(
    app: &AppState,
    holder: &Holder,
    raw_cursor: Option<&str>,
    limit: i64,
) -> Result<Listed<CheckView>, ApiError> {
    let rows = app
        .store
        .verifications_for_holder(
            holder.permit_number.as_str(),
            cursor(raw_cursor)?,
            limit + 1,
        )
        .await?;
    let page = paged(rows, limit, |e| format!("{}|{}", stamp(e.at), e.id));
    Ok(Listed {
        items: page.items.into_iter().map(CheckView::from).collect(),
        next_cursor: page.next_cursor,
    })
}

/// The services recorded for the holder; shared by the API and the page.
pub async fn uses(
    app: &AppState,
    holder: &Holder,
    raw_cursor: Option<&str>,
    limit: i64,
) -> Result<Listed<ServiceUse>, ApiError> {
    let rows = app
        .store
        .service_uses_for_holder(
            holder.permit_number.as_str(),
            cursor(raw_cursor)?,
            limit + 1,
        )
        .await?;
    Ok(paged(rows, limit, |u| format!("{}|{}", stamp(u.at), u.id)))
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let found = checks(&app, &holder, q.cursor.as_deref(), limit(q.limit)?).await?;
    reply(StatusCode::OK, &found)
}

pub async fn service_uses(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let found = uses(&app, &holder, q.cursor.as_deref(), limit(q.limit)?).await?;
    reply(StatusCode::OK, &found)
}
