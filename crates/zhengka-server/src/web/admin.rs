//! The admin's pages: employers, users, the audit trail.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_store::AuditFilter;

use super::flash;
use super::form::{Problems, to_json};
use super::render::PageError;
use super::visitor::{Posted, Visitor};
use crate::AppState;
use crate::api::directory::{self, DirectoryQuery};
use crate::api::employers::{NewEmployer, register};
use crate::api::users::{NewUser, add};
use crate::http::{ApiError, parse_json};
use crate::web::paging::{PAGE, pager};

/// The admin lists' address: a search (USCC or a part of a name; no
/// personal data of the foreigners) and the cursor. Unknown parameters (a
/// success message's `done=`) are ignored.
#[derive(Deserialize, Default)]
pub struct DirectoryParams {
    q: Option<String>,
    cursor: Option<String>,
}

impl DirectoryParams {
    fn query(&self) -> DirectoryQuery {
        let given = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        DirectoryQuery {
            q: given(&self.q),
            cursor: given(&self.cursor),
            limit: Some(PAGE),
            ..DirectoryQuery::default()
        }
    }
}

/// `GET /web/admin/employers?q=&cursor=`
pub async fn employers(
    State(app): State<AppState>,
    v: Visitor,
    Query(d): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let values = context! {};
    employers_page(&app, &v, values, &d, &Problems::default(), StatusCode::OK).await
}

async fn employers_page(
    app: &AppState,
    v: &Visitor,
    values: Value,
    d: &DirectoryParams,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::Admin])?;
    let mut q = d.query();
    let list = directory::find_employers(app, caller, &q).await?;
    let rows: Vec<Value> = list
        .items
        .iter()
        .map(|e| {
            context! {
                reference => super::readable::short_ref(&e.id),
                region => v.region(e.region_code.as_str()),
                ..Value::from_serialize(e)
            }
        })
        .collect();
    q.cursor = None;
    let ctx = context! {
        section => "employers",
        employers => rows,
        pager => pager(&list),
        sf => context! { values => q, errors => context! {} },
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "employers.html", ctx)
}

/// `POST /web/admin/employers`
pub async fn create_employer(
    State(app): State<AppState>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    // Every mistake at once; a well-formed employer stands in for the rest.
    let sample = serde_json::json!({ "uscc": "91350100M000100Y43", "name": "Sample",
        "region_code": "440106", "address": "Sample" });
    let parsed: Result<NewEmployer, Vec<ApiError>> =
        super::all_errors::parse_all(&to_json(&p.fields), &sample);
    let result = match parsed {
        Ok(body) => register(&app, caller, None, body)
            .await
            .map(drop)
            .map_err(|e| vec![e]),
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&flash::done("/web/admin/employers", "employer_created")).into_response(),
        ),
        Err(errors) => {
            let problems = Problems::from_all(&p.visitor, errors, &p.fields)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let d = DirectoryParams::default();
            employers_page(&app, &p.visitor, p.fields.shown(), &d, &problems, status).await
        }
    }
}

/// `GET /web/admin/users`: the form, and the accounts as the audit trail
/// `GET /web/admin/users?q=&cursor=`: the form, and the accounts by user
/// name, a page at a time.
pub async fn users(
    State(app): State<AppState>,
    v: Visitor,
    Query(d): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    users_page(
        &app,
        &v,
        context! {},
        &d,
        &Problems::default(),
        StatusCode::OK,
    )
    .await
}

async fn users_page(
    app: &AppState,
    v: &Visitor,
    values: Value,
    d: &DirectoryParams,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::Admin])?;
    let mut q = d.query();
    let found = directory::find_users(app, caller, &q).await?;
    let blocked = app.store.blocked_user_ids().await.map_err(ApiError::from)?;
    q.cursor = None;
    let rows: Vec<Value> = found
        .items
        .iter()
        .map(|u| {
            context! {
                id => u.id.clone(), username => u.username.clone(), role => u.role.as_str(),
                at => v.at(u.created_at), blocked => blocked.contains(&u.id),
                me => u.id == caller.user.id,
            }
        })
        .collect();
    let roles: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let employers: Vec<Value> = every_employer(app)
        .await?
        .iter()
        .map(Value::from_serialize)
        .collect();
    let ctx = context! {
        section => "users",
        users => rows,
        pager => pager(&found),
        sf => context! { values => q, errors => context! {} },
        roles => roles,
        employers => employers,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "users.html", ctx)
}

/// Every employer, page by page: the new user's employer is chosen from all
/// of them, never from the first hundred.
pub(super) async fn every_employer(
    app: &AppState,
) -> Result<Vec<zhengka_domain::employer::Employer>, PageError> {
    let mut all = Vec::new();
    loop {
        let after = all
            .last()
            .map(|e: &zhengka_domain::employer::Employer| e.id.clone());
        let page = app
            .store
            .list_employers(after.as_deref(), 500)
            .await
            .map_err(ApiError::from)?;
        let done = page.len() < 500;
        all.extend(page);
        if done {
            return Ok(all);
        }
    }
}

/// `POST /web/admin/users`
pub async fn create_user(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    // The password is sent as typed: spaces may belong to it.
    let mut json = to_json(&p.fields);
    json["password"] = serde_json::json!(p.fields.get("password"));
    let parsed: Result<NewUser, ApiError> = parse_json(json.to_string().as_bytes());
    let result = match parsed {
        Ok(body) => add(&app, caller, None, body).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&flash::done("/web/admin/users", "user_created")).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let d = DirectoryParams::default();
            users_page(&app, &p.visitor, p.fields.shown(), &d, &problems, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct AuditQuery {
    entity_type: Option<String>,
    entity_id: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    /// The next page: events before this seq.
    before: Option<i64>,
}

/// `GET /web/admin/audit?entity_type=&entity_id=&actor=&action=&before=`:
/// newest first, a page at a time.
pub async fn audit(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    v.require(&[Role::Admin])?;
    let some = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        entity_type: some(q.entity_type.clone()),
        entity_id: some(q.entity_id.clone()),
        actor: some(q.actor.clone()),
        action: some(q.action.clone()),
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
    // One more than shown tells whether there is a next page.
    let more = events.len() as i64 > PAGE;
    events.truncate(PAGE as usize);
    let next = events.last().filter(|_| more).map(|e| e.seq);
    let names = actor_names(&app, &events).await?;
    let rows: Vec<Value> = events
        .iter()
        .map(|e| {
            context! {
                seq => e.seq, at => v.at_text(&e.at), action => e.action.clone(),
                actor => names.get(&e.actor).cloned().unwrap_or_else(|| e.actor.clone()),
                entity => format!("{} {}", e.entity_type, super::readable::short_ref(&e.entity_id)),
                entity_id => e.entity_id.clone(),
            }
        })
        .collect();
    let values = context! {
        entity_type => q.entity_type, entity_id => q.entity_id, actor => q.actor, action => q.action,
    };
    let ctx = context! {
        section => "audit", events => rows, next => next, paged => q.before.is_some(),
        f => context! { values => values, errors => context! {} },
    };
    Ok(v.page("audit.html", ctx)?.into_response())
}

/// The user names of the events' actors; system actors (jobs) keep their name.
async fn actor_names(
    app: &AppState,
    events: &[zhengka_store::AuditEvent],
) -> Result<std::collections::HashMap<String, String>, PageError> {
    let mut names = std::collections::HashMap::new();
    for e in events {
        if names.contains_key(&e.actor) {
            continue;
        }
        match app.store.get_user(&e.actor).await {
            Ok(u) => drop(names.insert(e.actor.clone(), u.username)),
            Err(zhengka_store::StoreError::NotFound) => {}
            Err(e) => return Err(ApiError::from(e).into()),
        }
    }
    Ok(names)
}
