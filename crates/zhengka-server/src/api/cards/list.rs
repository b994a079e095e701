//! `GET /api/v1/cards` (filter `status`, `overdue=true`; oldest promise first,
//! so overdue cards lead) and `GET /api/v1/cards/{card_number}`.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use zhengka_domain::cards::{Card, CardStatus};
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
    let asked = Asked {
        status: q.status,
        overdue: q.overdue.unwrap_or(false),
        cursor: q.cursor.as_deref(),
        limit,
    };
    let (found, next) = find(&app, &caller, &asked).await?;
    let items: Vec<_> = found
        .iter()
        .map(|c| CardView::of(c, caller.user.role, today))
        .collect();
    reply(StatusCode::OK, &page(items, next))
}

/// What a list of cards asks for.
pub struct Asked<'a> {
    pub status: Option<CardStatus>,
    /// Only cards past their promise date and not yet in the holder's hand.
    pub overdue: bool,
    pub cursor: Option<&'a str>,
    pub limit: i64,
}

/// The cards the caller sees, oldest promise first (so overdue ones lead);
/// shared by the API and the pages.
pub async fn find(
    app: &AppState,
    caller: &Caller,
    asked: &Asked<'_>,
) -> Result<(Vec<Card>, Option<String>), ApiError> {
    caller.require(READERS)?;
    let today = Utc::now().date_naive();
    let mut filter = CardFilter {
        statuses: asked.status.into_iter().collect(),
        promised_before: asked.overdue.then(|| today.to_string()),
        limit: asked.limit,
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
    if let Some(raw) = asked.cursor {
        let (a, b) = raw.split_once('|').ok_or_else(|| {
            ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list")
        })?;
        filter.after = Some((a.to_owned(), b.to_owned()));
    }
    let found = app.store.list_cards(&filter).await?;
    let next = found.next_cursor.map(|(a, b)| format!("{a}|{b}"));
    Ok((found.items, next))
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
