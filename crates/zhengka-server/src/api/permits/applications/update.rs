use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::validate::change_filed_late;
use zhengka_domain::permits::application::workflow::{HistoryAction, HistoryEntry};
use zhengka_domain::permits::application::{Application, ApplicationForm};

use super::{check_form, load_visible};
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;

/// `PUT /api/v1/applications/{id}`: the employer replaces the form of a draft or
/// of an application returned for update. The kind cannot change.
pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::EmployerAgent])?;
    let form: ApplicationForm = body.parse()?;
    Ok(replace_form(&app, &caller, key.as_deref(), &id, form)
        .await?
        .1)
}

/// Replace the form of a draft or returned application. Shared by the API and
/// the pages.
pub async fn replace_form(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    form: ApplicationForm,
) -> Result<(Application, Reply), ApiError> {
    caller.require(&[Role::EmployerAgent])?;
    let mut application = load_visible(app, caller, id).await?;
    if !application.status.is_editable() {
        return Err(ApiError::conflict(
            "not_editable",
            "only drafts and returned applications can be edited",
        ));
    }
    if form.kind != application.form.kind {
        return Err(ApiError::invalid(
            "kind",
            "kind_cannot_change",
            "file a new application for another kind",
        ));
    }
    let now = Utc::now();
    let today = now.date_naive();
    application.classification = check_form(app, &form, &application.employer_id, today).await?;
    application.late_filing = change_filed_late(&form, today);
    application.permit_number = form.permit_number.clone();
    application.form = form;
    application.history.push(HistoryEntry {
        at: now,
        actor: caller.user.id.clone(),
        action: HistoryAction::Updated,
        from: Some(application.status),
        to: application.status,
        comment: None,
    });
    application.version += 1;
    application.updated_at = now;
    let reply = reply(StatusCode::OK, &application)?;
    let write = audit(
        caller,
        key,
        "application.updated",
        ("application", id),
        json!({}),
        &reply,
    );
    app.store
        .update_application(&application, None, write)
        .await?;
    Ok((application, reply))
}
