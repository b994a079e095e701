//! The permit of an approved application from abroad, on the application's
//! page: its on-site check, the entry date (the employer's agent or an
//! officer) and the on-site check of originals (a permit officer). The forms
//! call the API's own functions (`enter`, `check_onsite`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{Application, ApplicationKind};
use zhengka_domain::permits::permit::onsite::OnsiteCheckInput;
use zhengka_domain::permits::permit::{OnsiteCheck, PermitNumber, PermitStatus};

use super::detail;
use crate::AppState;
use crate::api::permits::applications::load_visible;
use crate::api::permits::records::{Entry, check_onsite, enter};
use crate::http::{ApiError, parse_json};
use crate::web::flash;
use crate::web::form::{Problems, to_json};
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Posted, Visitor};

/// The originals an officer may tick, in the order shown; the domain decides
/// which are required.
pub const MATERIALS: [&str; 7] = [
    "passport_copy",
    "visa_or_residence_permit_copy",
    "medical_report",
    "employment_contract",
    "degree_certificate",
    "work_experience_proof",
    "no_criminal_record",
];

/// The permit panel of `a`'s page, or `None` when there is nothing to show.
/// `posted` holds the fields of a form sent back with problems.
pub async fn panel(
    app: &AppState,
    v: &Visitor,
    a: &Application,
    posted: &Fields,
) -> Result<Option<Value>, PageError> {
    let role = v.caller.as_ref().map(|c| c.user.role);
    // The panel belongs to the application that brought the permit from abroad.
    let from_abroad = matches!(
        a.form.kind,
        ApplicationKind::NewFromAbroad | ApplicationKind::ReissueNotice
    );
    let (Some(number), true) = (&a.permit_number, from_abroad) else {
        return Ok(None);
    };
    if !matches!(role, Some(Role::EmployerAgent | Role::PermitOfficer)) {
        return Ok(None);
    }
    let permit = app.store.get_permit(number).await.map_err(ApiError::from)?;
    let (onsite, entry, due_by, decision) = match &permit.onsite {
        OnsiteCheck::NotRequired => ("not_required", None, None, None),
        OnsiteCheck::AwaitingEntry => ("awaiting_entry", None, None, None),
        OnsiteCheck::Due { entry_date, due_by } => ("due", Some(*entry_date), Some(*due_by), None),
        OnsiteCheck::Done {
            entry_date,
            decision_number,
            ..
        } => (
            "done",
            Some(*entry_date),
            None,
            Some(decision_number.clone()),
        ),
    };
    let active = matches!(permit.status, PermitStatus::Valid | PermitStatus::Suspended);
    let officer = role == Some(Role::PermitOfficer);
    let checked: Vec<&str> = posted
        .0
        .iter()
        .filter(|(k, _)| k == "onsite.materials_checked")
        .map(|(_, v)| v.as_str())
        .collect();
    let materials: Vec<Value> = MATERIALS
        .iter()
        .map(|m| context! { kind => m, checked => checked.contains(m) })
        .collect();
    // The on-site form starts from the recorded entry date.
    let mut values = posted.shown();
    if posted.0.is_empty()
        && let Some(d) = entry
    {
        values = [("onsite.entry_date", d.to_string())].into_iter().collect();
    }
    Ok(Some(context! {
        number => permit.permit_number.to_string(),
        status => permit.status.as_str(),
        onsite => onsite,
        entry_date => entry.map(|d| d.to_string()),
        due_by => due_by.map(|d| d.to_string()),
        decision_number => decision,
        can_enter => active && onsite == "awaiting_entry",
        can_check => active && officer && matches!(onsite, "awaiting_entry" | "due"),
        materials => materials,
        values => values,
    }))
}

/// `POST /web/permits/{number}/entry`: the entry date.
pub async fn entry(
    State(app): State<AppState>,
    Path(number): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p
        .visitor
        .require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let body = to_json(&p.fields)["entry"].take();
    let result = match parse_json::<Entry>(body_of(body).as_bytes()) {
        Ok(entry) => enter(&app, caller, None, &number, entry).await.map(|r| r.0),
        Err(e) => Err(e),
    };
    finish(&app, &p, &number, "entry", result.map(|p| p.application_id)).await
}

/// `POST /web/permits/{number}/onsite`: the check of originals.
pub async fn onsite(
    State(app): State<AppState>,
    Path(number): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::PermitOfficer])?;
    let mut body = to_json(&p.fields)["onsite"].take();
    if !body.is_object() {
        body = json!({});
    }
    let materials: Vec<&str> = p
        .fields
        .0
        .iter()
        .filter(|(k, _)| k == "onsite.materials_checked")
        .map(|(_, v)| v.as_str())
        .collect();
    body["materials_checked"] = json!(materials);
    let result = match parse_json::<OnsiteCheckInput>(body.to_string().as_bytes()) {
        Ok(input) => check_onsite(&app, caller, None, &number, input)
            .await
            .map(|r| r.0),
        Err(e) => Err(e),
    };
    finish(
        &app,
        &p,
        &number,
        "onsite",
        result.map(|p| p.application_id),
    )
    .await
}

fn body_of(v: serde_json::Value) -> String {
    if v.is_object() { v } else { json!({}) }.to_string()
}

/// Back to the application's page: at the permit after a success, with the
/// problems at the form's fields otherwise.
async fn finish(
    app: &AppState,
    p: &Posted,
    number: &str,
    form: &str,
    result: Result<String, ApiError>,
) -> Result<Response, PageError> {
    let e = match result {
        Ok(id) => {
            let done = if form == "onsite" {
                "onsite_recorded"
            } else {
                "entry_recorded"
            };
            let to = flash::done(&format!("/web/applications/{id}#permit"), done);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    let problems = Problems::from_api(&p.visitor, e)?.prefixed(form);
    let caller = p
        .visitor
        .require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let number = PermitNumber::parse(number).map_err(|_| ApiError::NotFound)?;
    let permit = app
        .store
        .get_permit(&number)
        .await
        .map_err(ApiError::from)?;
    let a = load_visible(app, caller, &permit.application_id).await?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    detail::page_posted(app, &p.visitor, &a, &problems, &p.fields, status).await
}
