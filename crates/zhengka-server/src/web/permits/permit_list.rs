//! `GET /web/permits`: the employer's permits, or the officer's region, by
//! permit number, a page at a time; searched (posted) by passport number,
//! passport name or permit number.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::{OnsiteCheck, Permit};

use crate::AppState;
use crate::api::permits::permits_list::{self, PermitQuery};
use crate::web::form::Problems;
use crate::web::paging::{PAGE, options, pager};
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

#[derive(Deserialize)]
pub struct PermitFilters {
    status: Option<String>,
    cursor: Option<String>,
}

/// `GET /web/permits?status=&cursor=`
pub async fn list(
    State(app): State<AppState>,
    v: Visitor,
    Query(f): Query<PermitFilters>,
) -> Result<Response, PageError> {
    let q = PermitQuery {
        status: f.status,
        cursor: f.cursor,
        ..PermitQuery::default()
    };
    page(&app, &v, q).await
}

/// `POST /web/permits/search`: q, status, cursor.
pub async fn search(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let field = |name: &str| Some(p.fields.get(name).to_owned()).filter(|s| !s.is_empty());
    let q = PermitQuery {
        status: field("status"),
        q: field("q"),
        cursor: field("cursor"),
        ..PermitQuery::default()
    };
    page(&app, &p.visitor, q).await
}

async fn page(app: &AppState, v: &Visitor, mut q: PermitQuery) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    q.limit = Some(PAGE);
    let today = Utc::now().date_naive();
    let (found, problems) = match permits_list::find(app, caller, &q).await {
        Ok(found) => (Some(found), Problems::default()),
        Err(e) => (None, Problems::from_api(v, e)?),
    };
    let rows: Vec<Value> = found
        .iter()
        .flat_map(|l| l.items.iter().map(|p| row(p, today)))
        .collect();
    let searched = q.q.is_some();
    q.cursor = None;
    let statuses = ["valid", "suspended", "expired", "cancelled", "revoked"];
    let values = context! {
        section => "permits",
        permits => rows,
        pager => found.as_ref().map(pager),
        searched => searched,
        status_options => options(v, "permit_status.", &statuses, &[]),
        f => context! { values => q, errors => problems.fields.clone() },
        ..problems.shown()
    };
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, v.page("permits.html", values)?).into_response())
}

fn row(p: &Permit, today: NaiveDate) -> Value {
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
}
