//! The permit officer's pages: a queue per review step with the legal time
//! limit counting down, and the decision form's action.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{ApplicationStatus, Outcome, ReviewStep};

use super::detail::{self, row};
use crate::AppState;
use crate::api::permits::applications::decide::{Decision, record};
use crate::api::permits::applications::list::ListQuery;
use crate::api::permits::applications::{list, load_visible};
use crate::http::{ApiError, parse_json};
use crate::web::flash;
use crate::web::form::{Problems, to_json};
use crate::web::paging::{PAGE, pager};
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Posted, Visitor};

/// The statuses that wait for an officer, one queue each.
pub const QUEUES: [ApplicationStatus; 3] = [
    ApplicationStatus::Submitted,
    ApplicationStatus::Accepted,
    ApplicationStatus::PreliminaryReviewed,
];

#[derive(Deserialize)]
pub struct QueueQuery {
    step: Option<String>,
    cursor: Option<String>,
}

/// `GET /web/queue?step=submitted|accepted|preliminary_reviewed`: nearest
/// legal time limit first (so overdue on top), a page at a time, with the
/// count of every queue in its tab.
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
    let of = |s: ApplicationStatus, cursor: Option<String>| ListQuery {
        status: Some(s.as_str().to_owned()),
        order: Some("due".to_owned()),
        limit: Some(PAGE),
        cursor,
        ..ListQuery::default()
    };
    let found = list::find(&app, caller, &of(status, q.cursor)).await?;
    let mut queues = Vec::new();
    for s in QUEUES {
        let count = if s == status {
            found.total
        } else {
            list::find(&app, caller, &of(s, None)).await?.total
        };
        queues.push(context! { step => s.as_str(), count => count });
    }
    let today = Utc::now().date_naive();
    let rows: Vec<Value> = found.items.iter().map(|a| row(&v, a, today)).collect();
    let values = context! {
        section => "queue",
        current => status.as_str(),
        queues => queues,
        rows => rows,
        pager => pager(&found),
        params => context! { step => status.as_str() },
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
    // The page confirms an approval with a tick box the API has no field for.
    let confirmed = p.fields.get("confirm") == "on";
    let fields = Fields(
        p.fields
            .0
            .iter()
            .filter(|(k, _)| k != "confirm")
            .cloned()
            .collect(),
    );
    let parsed: Result<Decision, ApiError> = parse_json(to_json(&fields).to_string().as_bytes())
        .and_then(|d: Decision| {
            let approves = d.step == ReviewStep::Approve && d.outcome == Outcome::Pass;
            if approves && !confirmed {
                return Err(ApiError::invalid(
                    "confirm",
                    "confirmation_required",
                    "confirm the approval",
                ));
            }
            Ok(d)
        });
    let mut done = "";
    let result = match parsed {
        Ok(decision) => {
            done = done_key(&decision);
            record(&app, caller, None, &id, decision).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            let to = flash::done(&format!("/web/applications/{id}"), done);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let a = load_visible(&app, caller, &id).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            detail::page_posted(&app, &p.visitor, &a, &problems, &p.fields, status).await
        }
    }
}

/// The success message of a recorded decision.
fn done_key(d: &Decision) -> &'static str {
    match (d.step, d.outcome) {
        (_, Outcome::Return) => "returned",
        (_, Outcome::Reject) => "rejected",
        (ReviewStep::Accept, Outcome::Pass) => "accepted",
        (ReviewStep::PreliminaryReview, Outcome::Pass) => "reviewed",
        (ReviewStep::Approve, Outcome::Pass) => "approved",
    }
}
