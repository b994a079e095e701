use axum::extract::{Path, State};
use axum::http::StatusCode;
use zhengka_domain::employer::Role;

use super::load_visible;
use crate::api::{reply, Reply};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::AppState;

/// `GET /api/v1/applications/{id}`: one application with its full history.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let application = load_visible(&app, &caller, &id).await?;
    reply(StatusCode::OK, &application)
}
