use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::validate::change_filed_late;
use zhengka_domain::permits::application::workflow::{HistoryAction, HistoryEntry};
use zhengka_domain::permits::application::{Application, ApplicationForm, ApplicationStatus};

use super::check_form;
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};

/// `POST /api/v1/applications`: an employer agent files a draft.
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::EmployerAgent])?;
    let form: ApplicationForm = body.parse()?;
    Ok(file(&app, &caller, key.as_deref(), form).await?.1)
}

/// File `form` as a new draft of the caller's employer. Shared by the API and
/// the pages.
pub async fn file(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    form: ApplicationForm,
) -> Result<(Application, Reply), ApiError> {
    caller.require(&[Role::EmployerAgent])?;
    let employer = app.store.get_employer(caller.employer_id()?).await?;
    let now = Utc::now();
    let today = now.date_naive();
    // Rules first: nothing is written for a form that breaks one.
    let classification = check_form(app, &form, &employer.id, today).await?;
    let application = Application {
        id: uuid::Uuid::new_v4().to_string(),
        employer_id: employer.id.clone(),
        region_code: employer.region_code.clone(),
        permit_number: form.permit_number.clone(),
        late_filing: change_filed_late(&form, today),
        form,
        status: ApplicationStatus::Draft,
        classification,
        decision_due_on: None,
        cut_over: false,
        notice: None,
        history: vec![HistoryEntry {
            at: now,
            actor: caller.user.id.clone(),
            action: HistoryAction::Created,
            from: None,
            to: ApplicationStatus::Draft,
            comment: None,
        }],
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let reply = reply(StatusCode::CREATED, &application)?;
    let details = json!({ "kind": application.form.kind.as_str() });
    let write = audit(
        caller,
        key,
        "application.created",
        ("application", &application.id),
        details,
        &reply,
    );
    app.store.insert_application(&application, write).await?;
    Ok((application, reply))
}
