//! The cut-over list: applications that the go-live cut-over sent back to
//! preliminary review, for the officers of their region (and the admin), and
//! the admin's button that runs the cut-over (`jobs::cut_over`, as
//! `POST /api/v1/admin/cut-over` does), after a confirmation.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::Application;
use zhengka_domain::permits::application::workflow::HistoryAction;
use zhengka_store::ApplicationFilter;

use super::detail::row;
use crate::api::permits::applications::list;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};
use crate::{AppState, jobs};

#[derive(Deserialize)]
pub struct Done {
    moved: Option<usize>,
}

/// `GET /web/cut-over`
pub async fn show(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<Done>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::PermitOfficer, Role::Admin])?;
    page(
        &app,
        &v,
        caller,
        q.moved,
        &Problems::default(),
        StatusCode::OK,
    )
    .await
}

/// Every application in the caller's scope that the cut-over moved.
async fn moved(app: &AppState, caller: &Caller) -> Result<Vec<Application>, PageError> {
    let mut filter = ApplicationFilter {
        limit: 200,
        ..ApplicationFilter::default()
    };
    list::scope(caller, &mut filter)?;
    let mut found = vec![];
    loop {
        let page = app
            .store
            .list_applications(&filter)
            .await
            .map_err(ApiError::from)?;
        found.extend(page.items.into_iter().filter(|a| a.cut_over));
        match page.next_cursor {
            Some(c) => filter.after = Some(c),
            None => return Ok(found),
        }
    }
}

async fn page(
    app: &AppState,
    v: &Visitor,
    caller: &Caller,
    done: Option<usize>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let today = Utc::now().date_naive();
    let rows: Vec<Value> = moved(app, caller)
        .await?
        .iter()
        .map(|a| {
            let entry = a
                .history
                .iter()
                .rfind(|h| h.action == HistoryAction::CutOver);
            context! {
                cut_at => entry.map(|h| v.at(h.at)),
                from => entry.and_then(|h| h.from).map(|s| s.as_str()),
                ..row(v, a, today)
            }
        })
        .collect();
    let values = context! {
        section => "cut_over",
        rows => rows,
        can_run => caller.user.role == Role::Admin,
        done => done,
        ..problems.shown()
    };
    v.page_with(status, "cut_over.html", values)
}

/// `POST /web/admin/cut-over`: only with the confirmation ticked.
pub async fn run(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    if p.fields.get("confirm") != "yes" {
        let e = ApiError::invalid("confirm", "confirm_required", "confirm the cut-over");
        let problems = Problems::from_api(&p.visitor, e)?;
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return page(&app, &p.visitor, caller, None, &problems, status).await;
    }
    let moved = jobs::cut_over(app.store.as_ref(), caller.id(), Utc::now())
        .await
        .map_err(ApiError::from)?;
    Ok(Redirect::to(&format!("/web/cut-over?moved={moved}")).into_response())
}
