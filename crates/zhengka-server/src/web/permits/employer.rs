//! The employer agent's pages: my work in progress, file and edit an
//! application (with the live points preview), submit, permits.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{ApplicationForm, ApplicationKind, ApplicationStatus};
use zhengka_domain::permits::permit::OnsiteCheck;
use zhengka_store::ApplicationFilter;

use super::detail::{self, row};
use crate::AppState;
use crate::api::permits::applications::{create, list, load_visible, submit, update};
use crate::http::{ApiError, parse_json};
use crate::web::form::{Problems, flatten, to_json};
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

/// The sections of the form for each kind. The domain's `validate` decides
/// what a kind needs; this only lays out the page to match it.
fn sections(kind: ApplicationKind) -> &'static [&'static str] {
    use ApplicationKind::*;
    match kind {
        NewFromAbroad => &["foreigner", "position", "contract", "scoring"],
        ShortTerm => &["foreigner", "position", "contract", "short_term"],
        Extension => &["permit_number", "position_optional", "contract", "scoring"],
        Change => &["permit_number", "change"],
        Cancellation => &["permit_number", "cancellation"],
        RenewElectronic => &["permit_number"],
        ReissueNotice => &[
            "foreigner",
            "position",
            "contract",
            "scoring",
            "original_notice",
        ],
    }
}

/// `GET /web/applications`: "my work in progress", then what was decided.
pub async fn dashboard(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent])?;
    let today = Utc::now().date_naive();
    let rows = |statuses: Vec<ApplicationStatus>| {
        let mut f = ApplicationFilter {
            statuses,
            limit: 100,
            ..ApplicationFilter::default()
        };
        list::scope(caller, &mut f).map(|()| f)
    };
    let open = rows(
        ApplicationStatus::ALL
            .into_iter()
            .filter(|s| !s.is_final())
            .collect(),
    )?;
    let done = rows(vec![
        ApplicationStatus::Approved,
        ApplicationStatus::Rejected,
    ])?;
    let open: Vec<Value> = app
        .store
        .list_applications(&open)
        .await
        .map_err(ApiError::from)?
        .items
        .iter()
        .map(|a| row(a, today))
        .collect();
    let done: Vec<Value> = app
        .store
        .list_applications(&done)
        .await
        .map_err(ApiError::from)?
        .items
        .iter()
        .map(|a| row(a, today))
        .collect();
    let values = context! { section => "dashboard", open => open, done => done };
    Ok(v.page("dashboard.html", values)?.into_response())
}

#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

/// `GET /web/applications/new?kind=...`: choose a kind, then its form.
pub async fn new_form(v: Visitor, Query(q): Query<KindQuery>) -> Result<Response, PageError> {
    v.require(&[Role::EmployerAgent])?;
    let Some(kind) = q.kind.as_deref().and_then(ApplicationKind::parse) else {
        let kinds: Vec<_> = ApplicationKind::ALL.iter().map(|k| k.as_str()).collect();
        let values = context! { section => "new", kinds => kinds };
        return Ok(v.page("choose_kind.html", values)?.into_response());
    };
    let values = context! { kind => kind.as_str() };
    form_page(&v, values, None, &Problems::default(), StatusCode::OK)
}

fn form_page(
    v: &Visitor,
    values: Value,
    id: Option<&str>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let kind = values
        .get_attr("kind")
        .ok()
        .and_then(|k| k.as_str().and_then(ApplicationKind::parse))
        .ok_or(PageError::Status(StatusCode::BAD_REQUEST, "error.request"))?;
    let ctx = context! {
        section => "new",
        kind => kind.as_str(),
        sections => sections(kind),
        id => id,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "application_form.html", ctx)
}

/// Parse the posted form with the API's parser. Errors come back as problems.
fn parse_form(p: &Posted) -> Result<ApplicationForm, ApiError> {
    let json = to_json(&p.fields);
    parse_json(json.to_string().as_bytes())
}

/// `POST /web/applications/new`
pub async fn create(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::EmployerAgent])?;
    let result = match parse_form(&p) {
        Ok(form) => create::file(&app, caller, None, form).await.map(|(a, _)| a),
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Ok(Redirect::to(&format!("/web/applications/{}", a.id)).into_response()),
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(&p.visitor, p.fields.shown(), None, &problems, status)
        }
    }
}

/// `GET /web/applications/{id}/edit`: a draft, or an answer to a return.
pub async fn edit_form(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent])?;
    let a = load_visible(&app, caller, &id).await?;
    if !a.status.is_editable() {
        return Err(PageError::Status(
            StatusCode::CONFLICT,
            "error.not_editable",
        ));
    }
    let values = flatten(&serde_json::to_value(&a.form).unwrap_or_default());
    form_page(
        &v,
        Value::from_serialize(&values),
        Some(&id),
        &Problems::default(),
        StatusCode::OK,
    )
}

/// `POST /web/applications/{id}/edit`
pub async fn update(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::EmployerAgent])?;
    let result = match parse_form(&p) {
        Ok(form) => update::replace_form(&app, caller, None, &id, form).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/web/applications/{id}")).into_response()),
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(&p.visitor, p.fields.shown(), Some(&id), &problems, status)
        }
    }
}

/// `POST /web/applications/{id}/submit`
pub async fn submit(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::EmployerAgent])?;
    match submit::send(&app, caller, None, &id).await {
        Ok(_) => Ok(Redirect::to(&format!("/web/applications/{id}")).into_response()),
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let a = load_visible(&app, caller, &id).await?;
            detail::page(&app, &p.visitor, &a, &problems, StatusCode::CONFLICT).await
        }
    }
}

/// `GET /web/permits`: the employer's permits with their deadlines.
pub async fn permits(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent])?;
    let today = Utc::now().date_naive();
    let employer = caller.employer_id()?;
    let found = app
        .store
        .list_permits(Some(employer), None, None, 100)
        .await
        .map_err(ApiError::from)?;
    let rows: Vec<Value> = found
        .iter()
        .map(|p| {
            let (onsite, onsite_due) = match &p.onsite {
                OnsiteCheck::Due { due_by, .. } => ("due", Some(due_by.to_string())),
                OnsiteCheck::AwaitingEntry => ("awaiting_entry", None),
                OnsiteCheck::Done { .. } => ("done", None),
                OnsiteCheck::NotRequired => ("not_required", None),
            };
            context! {
                number => p.permit_number.to_string(),
                holder => p.holder_name.to_string(),
                class => format!("{:?}", p.class),
                position => p.position.as_str(),
                valid_from => p.valid_from.to_string(),
                valid_to => p.valid_to.to_string(),
                days_to_expiry => (p.valid_to - today).num_days(),
                status => p.status.as_str(),
                onsite => onsite,
                onsite_due => onsite_due,
                application_id => p.application_id.clone(),
            }
        })
        .collect();
    Ok(v.page(
        "permits.html",
        context! { section => "permits", permits => rows },
    )?
    .into_response())
}
