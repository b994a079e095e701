//! The region's accounts, newest first and paged; a search by SSN or permit
//! number (the store's keyed lookups) or by name (within the newest accounts:
//! names are encrypted at rest, so they are compared after opening); and one
//! account with its insurances and exclusions.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::ids::PassportName;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_domain::social_security::{Account, Ssn};
use zhengka_store::StoreError;

use super::OFFICER;
use crate::AppState;
use crate::api::social_security::AccountView;
use crate::api::social_security::accounts::{find, visible_account};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

const PAGE: i64 = 20;
/// How many of the newest accounts a name search reads.
const NAME_SEARCH_MAX: usize = 2000;

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

/// `GET /web/social-security/accounts[?cursor=]`
pub async fn list(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let (found, next) = find(&app, caller, q.cursor.as_deref(), PAGE).await?;
    let values = context! {
        rows => rows(&found, caller),
        next => next,
        paged => q.cursor.is_some(),
    };
    page(&v, values, &Problems::default(), StatusCode::OK)
}

fn page(
    v: &Visitor,
    values: Value,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = context! {
        section => "accounts",
        f => context! { values => values.get_attr("search").ok(), ..problems.shown() },
        ..minijinja::value::merge_maps([values, problems.shown()])
    };
    v.page_with(status, "ss_accounts.html", ctx)
}

fn rows(found: &[Account], caller: &Caller) -> Vec<Value> {
    found
        .iter()
        .map(|a| {
            let view = AccountView::of(a, caller.user.role);
            context! {
                opened => a.opened_at.format("%Y-%m-%d").to_string(),
                ..Value::from_serialize(&view)
            }
        })
        .collect()
}

/// `POST /web/social-security/accounts/search`: `q` is an SSN, a permit
/// number or a name. A number finds one account and opens it. (A search is
/// posted so that personal numbers stay out of addresses and history.)
pub async fn search(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    let q = p.fields.get("q").trim();
    let result = lookup(&app, caller, q).await.and_then(|found| {
        if found.0.is_empty() {
            Err(ApiError::invalid(
                "q",
                "no_account_found",
                "no account matches",
            ))
        } else {
            Ok(found)
        }
    });
    let (found, problems) = match result {
        // A number names one account: open it.
        Ok((found, true)) => {
            let to = format!("/web/social-security/accounts/{}", found[0].id);
            return Ok(Redirect::to(&to).into_response());
        }
        Ok((found, false)) => (found, Problems::default()),
        Err(e) => (vec![], Problems::from_api(&p.visitor, e)?),
    };
    let status = if problems.summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let values =
        context! { rows => rows(&found, caller), searched => true, search => p.fields.shown() };
    page(&p.visitor, values, &problems, status)
}

/// The accounts `q` names, and whether it named one by number: an SSN, a
/// permit number, else (a name may look like a permit number) a name.
async fn lookup(
    app: &AppState,
    caller: &Caller,
    q: &str,
) -> Result<(Vec<Account>, bool), ApiError> {
    if let Ok(ssn) = Ssn::parse(q) {
        return Ok((one(visible_account(app, caller, &ssn).await)?, true));
    }
    if let Ok(n) = PermitNumber::parse(q) {
        let found = match app.store.account_for_permit(&n).await {
            Ok(a) => one(caller.may_see(&a.employer_id, &a.region_code).map(|()| a))?,
            Err(StoreError::NotFound) => vec![],
            Err(e) => return Err(e.into()),
        };
        if !found.is_empty() {
            return Ok((found, true));
        }
    }
    match PassportName::parse(q) {
        Ok(name) => Ok((by_name(app, caller, name.as_str()).await?, false)),
        Err(_) if PermitNumber::parse(q).is_ok() => Ok((vec![], true)),
        Err(_) => Err(ApiError::invalid(
            "q",
            "required",
            "enter a number or a name",
        )),
    }
}

/// One account, or none when it is absent or not the caller's to see.
fn one(found: Result<Account, ApiError>) -> Result<Vec<Account>, ApiError> {
    match found {
        Ok(a) => Ok(vec![a]),
        Err(ApiError::NotFound) => Ok(vec![]),
        Err(e) => Err(e),
    }
}

/// Accounts whose holder's name contains `name` (normalised as on permits).
async fn by_name(app: &AppState, caller: &Caller, name: &str) -> Result<Vec<Account>, ApiError> {
    let mut hits = Vec::new();
    let mut cursor: Option<String> = None;
    let mut read = 0;
    while read < NAME_SEARCH_MAX {
        let (found, next) = find(app, caller, cursor.as_deref(), 100).await?;
        read += found.len();
        hits.extend(
            found
                .into_iter()
                .filter(|a| a.holder_name.as_str().contains(name)),
        );
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    Ok(hits)
}

/// `GET /web/social-security/accounts/{id}`: the SSN in full (this role may
/// see it), insurances with their dates, exclusions with their reasons.
pub async fn show(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let account = match app.store.get_account(&id).await {
        Err(StoreError::NotFound) => return Err(ApiError::NotFound.into()),
        other => other.map_err(ApiError::from)?,
    };
    caller.may_see(&account.employer_id, &account.region_code)?;
    let view = AccountView::of(&account, caller.user.role);
    let values = context! {
        section => "accounts",
        a => Value::from_serialize(&view),
        opened => account.opened_at.format("%Y-%m-%d %H:%M").to_string(),
    };
    Ok(v.page("ss_account.html", values)?.into_response())
}
