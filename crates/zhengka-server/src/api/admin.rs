//! Operator actions: the go-live cut-over, on-demand deadline and reminder
//! sweeps, and an outbox dispatch.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;

use super::{Reply, reply};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::{AppState, jobs};

/// `POST /api/v1/admin/cut-over` (admin)
pub async fn cut_over(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let moved = jobs::cut_over(app.store.as_ref(), caller.id(), Utc::now()).await?;
    reply(StatusCode::OK, &json!({ "moved": moved }))
}

/// `POST /api/v1/admin/sweep-deadlines` (admin)
pub async fn sweep_deadlines(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let changed = jobs::sweep_permit_deadlines(app.store.as_ref(), Utc::now()).await?;
    reply(StatusCode::OK, &json!({ "changed": changed }))
}

/// `POST /api/v1/admin/dispatch-events`: deliver pending outbox events now
/// (the dispatcher also runs every second); returns what the pass did.
pub async fn dispatch_events(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let done = jobs::dispatch_once(app.store.as_ref(), Utc::now()).await?;
    if done.applied > 0 {
        app.credentials.invalidate_status_list();
    }
    reply(StatusCode::OK, &done)
}

/// `POST /api/v1/admin/sweep-reminders`: the holders' time reminders now (the
/// sweep also runs every hour); returns `{holders, created}`.
pub async fn sweep_reminders(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let swept = jobs::sweep_reminders(app.store.as_ref(), Utc::now()).await?;
    reply(StatusCode::OK, &swept)
}
