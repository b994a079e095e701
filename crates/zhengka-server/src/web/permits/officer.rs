//! The permit officer's pages: a queue per review step with the legal time
//! limit counting down, and the decision form's action.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::ApplicationStatus;
use zhengka_store::ApplicationFilter;

use super::detail::{self, row};
use crate::AppState;
use crate::api::permits::applications::decide::{Decision, record};
use crate::api::permits::applications::{list, load_visible};
use crate::http::{ApiError, parse_json};
use crate::web::form::{Problems, to_json};
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

/// The statuses that wait for an officer, one queue each.
pub const QUEUES: [ApplicationStatus; 3] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::Accepted,
    ApplicationStatus::PreliminaryReviewed,
];

#[derive(Deserialize)]
pub struct QueueQuery {
    step: Option<String>,
}

/// `GET /web/queue?step=submitted|accepted|preliminary_reviewed`: nearest
/// deadline first.
pub async fn queue(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::PermitOfficer])?;
    let status = q
        .step
        .as_deref()
        .and_then(ApplicationStatus::parse)
        .filter(|s| QUEUES.contains(s))
        .unwrap_or(ApplicationStatus::Submitted);
    let mut filter = ApplicationFilter {
        statuses: vec![status],
        limit: 100,
        ..ApplicationFilter::default()
    };
    list::scope(caller, &mut filter)?;
    let mut found = app
        .store
        .list_applications(&filter)
        .await
        .map_err(ApiError::from)?
        .items;
    found.sort_by_key(|a| a.decision_due_on);
    let today = Utc::now().date_naive();
    let rows: Vec<Value> = found.iter().map(|a| row(a, today)).collect();
    let queues: Vec<_> = QUEUES.iter().map(|s| s.as_str()).collect();
    let values = context! {
        section => "queue",
        current => status.as_str(),
        queues => queues,
        rows => rows,
    };
    Ok(v.page("queue.html", values)?.into_response())
}

/// `POST /web/applications/{id}/decisions`: step, outcome, comment.
pub async fn decide(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::PermitOfficer])?;
    let parsed: Result<Decision, ApiError> = parse_json(to_json(&p.fields).to_string().as_bytes());
    let result = match parsed {
        Ok(decision) => record(&app, caller, None, &id, decision).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/web/applications/{id}")).into_response()),
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let a = load_visible(&app, caller, &id).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            detail::page(&app, &p.visitor, &a, &problems, status).await
        }
    }
}
