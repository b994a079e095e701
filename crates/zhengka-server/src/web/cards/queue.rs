//! The card queue: the region's cards, oldest promise first so the overdue
//! ones lead, with a status filter, an overdue-only switch and paging.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::cards::{Card, CardStatus};

use super::OFFICER;
use crate::AppState;
use crate::api::cards::list::{Asked, find};
use crate::web::render::PageError;
use crate::web::visitor::Visitor;

const PAGE: i64 = 20;

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    overdue: Option<String>,
    cursor: Option<String>,
}

/// `GET /web/cards[?status=&overdue=true&cursor=]`
pub async fn queue(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let status = q.status.as_deref().and_then(CardStatus::parse);
    let overdue = q.overdue.as_deref() == Some("true");
    let asked = Asked {
        status,
        overdue,
        cursor: q.cursor.as_deref().filter(|c| !c.is_empty()),
        limit: PAGE,
    };
    let (found, next) = find(&app, caller, &asked).await?;
    let today = Utc::now().date_naive();
    let rows: Vec<Value> = found.iter().map(|c| row(c, today)).collect();
    // The next page keeps the filter.
    let mut filter = String::new();
    if let Some(s) = status {
        filter.push_str(&format!("status={}&", s.as_str()));
    }
    if overdue {
        filter.push_str("overdue=true&");
    }
    let statuses: Vec<_> = CardStatus::ALL.iter().map(|s| s.as_str()).collect();
    let values = context! {
        section => "cards",
        rows => rows,
        statuses => statuses,
        status => status.map(|s| s.as_str()),
        overdue => overdue,
        next => next,
        filter => filter,
        paged => asked.cursor.is_some(),
        f => context! {},
    };
    Ok(v.page("card_queue.html", values)?.into_response())
}

pub(super) fn row(c: &Card, today: chrono::NaiveDate) -> Value {
    let promise = c.promise(today, &zhengka_domain::time::WorkingCalendar::default());
    context! {
        number => c.card_number.as_str(),
        holder => c.elements.holder_name.as_str(),
        permit_number => c.elements.permit_number.as_str(),
        status => c.state.status.as_str(),
        handover => if c.handover == zhengka_domain::cards::Handover::Delivery { "delivery" } else { "service_hall" },
        promised_by => promise.promised_by.to_string(),
        days_left => promise.working_days_left,
        overdue => promise.overdue,
        in_hand => c.state.status.is_in_hand(),
        applied => c.applied_at.format("%Y-%m-%d").to_string(),
    }
}
