use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::Application;
use zhengka_domain::permits::application::workflow::{self, HistoryAction, HistoryEntry};
use zhengka_domain::time::WorkingCalendar;

use super::{check_form, load_visible};
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::idempotency::IdempotencyKey;
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;

/// `POST /api/v1/applications/{id}/submit`: draft or returned -> submitted. The
/// legal time limit for the decision starts now.
pub async fn submit(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    Ok(send(&app, &caller, key.as_deref(), &id).await?.1)
}

/// Submit a draft or returned application. Shared by the API and the pages.
pub async fn send(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
) -> Result<(Application, Reply), ApiError> {
    caller.require(&[Role::EmployerAgent])?;
    let mut application = load_visible(app, caller, id).await?;
    let from = application.status;
    let to = workflow::submit(from).map_err(|e| ApiError::conflict(e.code(), e.to_string()))?;
    let now = Utc::now();
    let today = now.date_naive();
    // Dates move on: a form valid when drafted may not be valid today.
    application.classification =
        check_form(app, &application.form, &application.employer_id, today).await?;
    let limit = application.form.kind.decision_limit_working_days();
    application.decision_due_on = Some(WorkingCalendar::default().add_working_days(today, limit));
    application.status = to;
    application.history.push(HistoryEntry {
        at: now,
        actor: caller.user.id.clone(),
        action: HistoryAction::Submitted,
        from: Some(from),
        to,
        comment: None,
    });
    application.version += 1;
    application.updated_at = now;
    let reply = reply(StatusCode::OK, &application)?;
    let details = json!({ "from": from.as_str(), "to": to.as_str() });
    let write = audit(
        caller,
        key,
        "application.submitted",
        ("application", id),
        details,
        &reply,
    );
    app.store
        .update_application(&application, None, write)
        .await?;
    Ok((application, reply))
}
