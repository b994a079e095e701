use axum::extract::State;
use axum::http::StatusCode;
use zhengka_domain::employer::Role;

use super::load_visible;
use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::Caller;
use crate::http::ApiError;
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;

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
