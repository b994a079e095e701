//! The admin's page to change an account's role, employer and region; the
//! API's `accounts::set_scope` does the work (checks, audit, sessions end).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use zhengka_domain::employer::Role;

use super::admin::every_employer;
use super::flash;
use super::form::{Problems, to_json};
use super::render::PageError;
use super::visitor::{Posted, Visitor};
use crate::AppState;
use crate::api::accounts::{ScopeChange, set_scope};
use crate::http::{ApiError, parse_json};

/// `GET /web/admin/users/{id}/role`
pub async fn form(
    State(app): State<AppState>,
    Path(id): Path<String>,
    v: Visitor,
) -> Result<Response, PageError> {
    v.require(&[Role::Admin])?;
    let user = app.store.get_user(&id).await.map_err(ApiError::from)?;
    let values = context! {
        role => user.role.as_str(),
        employer_id => user.employer_id,
        region_code => user.region_code.as_ref().map(|r| r.as_str().to_owned()),
    };
    page(&app, &v, &id, values, &Problems::default(), StatusCode::OK).await
}

async fn page(
    app: &AppState,
    v: &Visitor,
    id: &str,
    values: Value,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let user = app.store.get_user(id).await.map_err(ApiError::from)?;
    let roles: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let employers: Vec<Value> = every_employer(app)
        .await?
        .iter()
        .map(Value::from_serialize)
        .collect();
    let ctx = context! {
        section => "users",
        id => id,
        username => user.username,
        roles => roles,
        employers => employers,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "user_role.html", ctx)
}

/// `POST /web/admin/users/{id}/role`: back to the users list, or the form
/// again with every problem next to its field.
pub async fn set(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    let parsed: Result<ScopeChange, ApiError> =
        parse_json(to_json(&p.fields).to_string().as_bytes());
    let result = match parsed {
        Ok(change) => set_scope(&app, caller, None, &id, change).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&flash::done("/web/admin/users", "user_role_changed")).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&app, &p.visitor, &id, p.fields.shown(), &problems, status).await
        }
    }
}
