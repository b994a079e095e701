//! The officer's follow-up queue: approved holders from abroad still to enter
//! China or to bring their originals within 30 days of entry, nearest deadline
//! first; each row leads to the application page with the entry and on-site
//! forms. And the officer's own history: the decisions they made.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::{OnsiteCheck, Permit};
use zhengka_store::AuditFilter;

use crate::AppState;
use crate::api::permits::permits_list::{self, PermitQuery};
use crate::http::ApiError;
use crate::web::paging::{PAGE, pager};
use crate::web::render::PageError;
use crate::web::visitor::Visitor;

#[derive(Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

/// `GET /web/follow-up`
pub async fn follow_up(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<CursorQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::PermitOfficer])?;
    let query = PermitQuery {
        follow_up: Some("onsite".to_owned()),
        limit: Some(PAGE),
        cursor: q.cursor,
        ..PermitQuery::default()
    };
    let found = permits_list::find(&app, caller, &query).await?;
    let today = Utc::now().date_naive();
    let rows: Vec<Value> = found
        .items
        .iter()
        .map(|p| follow_up_row(&v, p, today))
        .collect();
    let values = context! {
        section => "follow_up",
        rows => rows,
        pager => pager(&found),
        params => context! {},
    };
    Ok(v.page("follow_up.html", values)?.into_response())
}

fn follow_up_row(v: &Visitor, p: &Permit, today: chrono::NaiveDate) -> Value {
    let (state, entry, due) = match &p.onsite {
        OnsiteCheck::Due { entry_date, due_by } => ("due", Some(*entry_date), Some(*due_by)),
        _ => ("awaiting_entry", None, None),
    };
    let days_left = due.map(|d| (d - today).num_days());
    context! {
        number => p.permit_number.to_string(),
        holder => p.holder_name.to_string(),
        class => format!("{:?}", p.class),
        approved => v.day(p.issued_at),
        state => state,
        entry => entry.map(|d| d.to_string()),
        due => due.map(|d| d.to_string()),
        days_left => days_left,
        urgent => days_left.is_some_and(|d| d <= 5),
        application_id => p.application_id.clone(),
        anchor => if state == "due" { "onsite-form" } else { "entry-form" },
    }
}

#[derive(Deserialize)]
pub struct AfterQuery {
    before: Option<i64>,
}

/// `GET /web/my-decisions`: the decisions the signed-in officer made, newest
/// first, read from the audit trail (the record that cannot be edited).
pub async fn mine(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<AfterQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::PermitOfficer])?;
    let filter = AuditFilter {
        actor: Some(caller.user.id.clone()),
        action: Some("application.decided".to_owned()),
        before_seq: q.before,
        newest_first: true,
        limit: PAGE + 1,
        ..AuditFilter::default()
    };
    let mut events = app
        .store
        .audit_events(&filter)
        .await
        .map_err(ApiError::from)?;
    let more = events.len() as i64 > PAGE;
    events.truncate(PAGE as usize);
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            context! {
                at => v.at_text(&e.at),
                application_id => e.entity_id.clone(),
                step => e.details["step"].as_str().map(str::to_owned),
                outcome => e.details["outcome"].as_str().map(str::to_owned),
                to => e.details["to"].as_str().map(str::to_owned),
            }
        })
        .collect();
    let next = events.last().filter(|_| more).map(|e| e.seq);
    let values = context! { section => "queue", rows => rows, next => next };
    Ok(v.page("my_decisions.html", values)?.into_response())
}
