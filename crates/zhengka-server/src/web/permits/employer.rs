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

use super::detail::{self, row};
use crate::AppState;
use crate::api::permits::applications::list::ListQuery;
use crate::api::permits::applications::{create, list, load_visible, submit, update};
use crate::http::ApiError;
use crate::web::all_errors::parse_all;
use crate::web::flash;
use crate::web::form::{Problems, flatten, to_json};
use crate::web::paging::{Filters, PAGE, options, pager};
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

/// `GET /web/applications`: every application of the employer, newest
/// first, a page at a time, filtered by status, kind and filing date.
pub async fn dashboard(
    State(app): State<AppState>,
    v: Visitor,
    Query(f): Query<Filters>,
) -> Result<Response, PageError> {
    let q = ListQuery {
        status: f.status,
        kind: f.kind,
        from: f.from,
        to: f.to,
        cursor: f.cursor,
        ..ListQuery::default()
    };
    list_page(&app, &v, q).await
}

/// `POST /web/applications/search`: the same list searched by passport
/// number, passport name or permit number.
pub async fn search(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let field = |name: &str| Some(p.fields.get(name).to_owned()).filter(|s| !s.is_empty());
    let q = ListQuery {
        status: field("status"),
        kind: field("kind"),
        q: field("q"),
        from: field("from"),
        to: field("to"),
        cursor: field("cursor"),
        ..ListQuery::default()
    };
    list_page(&app, &p.visitor, q).await
}

async fn list_page(app: &AppState, v: &Visitor, mut q: ListQuery) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent])?;
    q.limit = Some(PAGE);
    let today = Utc::now().date_naive();
    let (found, problems) = match list::find(app, caller, &q).await {
        Ok(found) => (Some(found), Problems::default()),
        Err(e) => (None, Problems::from_api(v, e)?),
    };
    let rows: Vec<Value> = found
        .iter()
        .flat_map(|l| l.items.iter().map(|a| row(v, a, today)))
        .collect();
    let statuses: Vec<&str> = ApplicationStatus::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = ApplicationKind::ALL.iter().map(|k| k.as_str()).collect();
    let searched = q.q.is_some();
    q.cursor = None;
    let counts = super::counts::needs_action(app, caller).await?;
    let values = context! {
        section => "dashboard",
        counts => counts,
        rows => rows,
        pager => found.as_ref().map(pager),
        searched => searched,
        status_options => options(v, "status.", &statuses, &[("in_progress", "dashboard.in_progress")]),
        kind_options => options(v, "kind.", &kinds, &[]),
        f => context! { values => q, errors => problems.fields.clone() },
        ..problems.shown()
    };
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, v.page("dashboard.html", values)?).into_response())
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
        nationalities => crate::web::pickers::nationality_options(v.lang),
        id => id,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "application_form.html", ctx)
}

/// Parse the posted form with the API's parser, every mistake at once.
fn parse_form(p: &Posted) -> Result<ApplicationForm, Vec<ApiError>> {
    parse_all(&to_json(&p.fields), &super::sample::FORM)
}

/// `POST /web/applications/new`
pub async fn create(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::EmployerAgent])?;
    let result = match parse_form(&p) {
        Ok(form) => create::file(&app, caller, None, form)
            .await
            .map(|(a, _)| a)
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(a) => {
            let to = flash::done(&format!("/web/applications/{}", a.id), "created");
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => {
            let problems = Problems::from_all(&p.visitor, errors, &p.fields)?;
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
        Ok(form) => update::replace_form(&app, caller, None, &id, form)
            .await
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(_) => {
            let to = flash::done(&format!("/web/applications/{id}"), "saved");
            Ok(Redirect::to(&to).into_response())
        }
        Err(errors) => {
            let problems = Problems::from_all(&p.visitor, errors, &p.fields)?;
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
        Ok(_) => {
            let to = flash::done(&format!("/web/applications/{id}"), "submitted");
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let a = load_visible(&app, caller, &id).await?;
            detail::page(&app, &p.visitor, &a, &problems, StatusCode::CONFLICT).await
        }
    }
}
