//! `GET /api/v1/cards` (filter `status`, `overdue=true`; oldest promise first,
//! so overdue cards lead) and `GET /api/v1/cards/{card_number}`.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use zhengka_domain::cards::CardStatus;
use zhengka_domain::employer::Role;
use zhengka_store::{CardFilter, permits::region_prefix};

use super::{CardView, READERS, visible_card};
use crate::AppState;
use crate::api::{Reply, limit, page, reply};
use crate::auth::Caller;
use crate::http::ApiPath as Path;
use crate::http::{ApiError, ApiQuery};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    status: Option<CardStatus>,
    overdue: Option<bool>,
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    caller.require(READERS)?;
    let limit = limit(q.limit)?;
    let today = Utc::now().date_naive();
    let mut filter = CardFilter {
        statuses: q.status.into_iter().collect(),
        promised_before: q.overdue.filter(|o| *o).map(|_| today.to_string()),
        limit,
        ..CardFilter::default()
    };
    match caller.user.role {
        Role::EmployerAgent => filter.employer_id = Some(caller.employer_id()?.to_owned()),
        _ => {
            let region = caller
                .user
                .region_code
                .as_ref()
                .ok_or(ApiError::Forbidden)?;
            filter.region_prefix = Some(region_prefix(region).to_owned());
        }
    }
    if let Some(raw) = q.cursor.as_deref() {
        let (a, b) = raw.split_once('|').ok_or_else(|| {
            ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list")
        })?;
        filter.after = Some((a.to_owned(), b.to_owned()));
    }
    let found = app.store.list_cards(&filter).await?;
    let items: Vec<_> = found
        .items
        .iter()
        .map(|c| CardView::of(c, caller.user.role, today))
        .collect();
    let next = found.next_cursor.map(|(a, b)| format!("{a}|{b}"));
    reply(StatusCode::OK, &page(items, next))
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Reply, ApiError> {
    caller.require(READERS)?;
    let card = visible_card(&app, &caller, &number).await?;
    reply(
        StatusCode::OK,
        &CardView::of(&card, caller.user.role, Utc::now().date_naive()),
    )
}
