//! `GET /api/v1/social-security/accounts[/{ssn}]`: accounts of the officer's
//! region or the employer's employees; `?due=registration` lists the valid
//! permits without an account, nearest to the 30-day limit first.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::social_security::{Account, Ssn};
use zhengka_store::{AccountFilter, permits::region_prefix};

use super::AccountView;
use super::view::{DueView, due_view};
use crate::AppState;
use crate::api::{Reply, limit, page, reply};
use crate::auth::Caller;
use crate::http::ApiPath as Path;
use crate::http::{ApiError, ApiQuery};

pub const READERS: &[Role] = &[
    Role::SocialSecurityOfficer,
    Role::EmployerAgent,
    Role::CardOfficer,
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    due: Option<Due>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Due {
    Registration,
}

/// Who the caller sees: their employer's, or their region's.
fn scope(caller: &Caller) -> Result<(Option<String>, Option<String>), ApiError> {
    match caller.user.role {
        Role::EmployerAgent => Ok((Some(caller.employer_id()?.to_owned()), None)),
        _ => {
            let region = caller
                .user
                .region_code
                .as_ref()
                .ok_or(ApiError::Forbidden)?;
            Ok((None, Some(region_prefix(region).to_owned())))
        }
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    caller.require(READERS)?;
    let limit = limit(q.limit)?;
    if let Some(Due::Registration) = q.due {
        let due = due_registrations(&app, &caller, limit).await?;
        return reply(StatusCode::OK, &page(due, None));
    }
    let (found, next) = find(&app, &caller, q.cursor.as_deref(), limit).await?;
    let items: Vec<_> = found
        .iter()
        .map(|a| AccountView::of(a, caller.user.role))
        .collect();
    reply(StatusCode::OK, &page(items, next))
}

/// The accounts the caller sees, newest first, a page from `cursor`; shared
/// by the API and the pages.
pub async fn find(
    app: &AppState,
    caller: &Caller,
    cursor: Option<&str>,
    limit: i64,
) -> Result<(Vec<Account>, Option<String>), ApiError> {
    caller.require(READERS)?;
    let (employer_id, region_prefix) = scope(caller)?;
    let after = cursor.map(decode_cursor).transpose()?;
    let filter = AccountFilter {
        employer_id,
        region_prefix,
        after,
        limit,
    };
    let found = app.store.list_accounts(&filter).await?;
    let next = found.next_cursor.map(|(at, id)| format!("{at}|{id}"));
    Ok((found.items, next))
}

fn decode_cursor(raw: &str) -> Result<(String, String), ApiError> {
    raw.split_once('|')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list"))
}

/// Valid permits of the caller's scope without an account, by due date
/// (overdue first); shared by the API and the pages.
pub async fn due_registrations(
    app: &AppState,
    caller: &Caller,
    limit: i64,
) -> Result<Vec<DueView>, ApiError> {
    caller.require(READERS)?;
    let (employer_id, _) = scope(caller)?;
    let region = match caller.user.role {
        Role::EmployerAgent => None,
        _ => caller.user.region_code.as_ref(),
    };
    let today = Utc::now().date_naive();
    let policy = &app.config.policy.social_security;
    let mut due = Vec::new();
    let mut after: Option<String> = None;
    // Walk the scope's permits page by page (bounded): the queue is of the
    // region's valid permits, checked against the accounts in bulk.
    for _ in 0..100 {
        let permits = app
            .store
            .list_permits(employer_id.as_deref(), region, after.as_deref(), 100)
            .await?;
        let Some(last) = permits.last() else { break };
        after = Some(last.permit_number.to_string());
        let numbers: Vec<String> = permits
            .iter()
            .map(|p| p.permit_number.to_string())
            .collect();
        let enrolled = app.store.enrolled_permits(&numbers).await?;
        due.extend(
            permits
                .iter()
                .filter(|p| p.status == zhengka_domain::permits::permit::PermitStatus::Valid)
                .filter(|p| !enrolled.contains(&p.permit_number.to_string()))
                .map(|p| due_view(p, policy, today))
                .filter(|d| d.due.days_left <= 7),
        );
        if (permits.len() as i64) < 100 {
            break;
        }
    }
    due.sort_by_key(|d| (d.due.due_on, d.permit_number.clone()));
    due.truncate(limit as usize);
    Ok(due)
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(raw): Path<String>,
) -> Result<Reply, ApiError> {
    let ssn = Ssn::parse(&raw).map_err(|_| ApiError::NotFound)?;
    let account = visible_account(&app, &caller, &ssn).await?;
    reply(StatusCode::OK, &AccountView::of(&account, caller.user.role))
}

/// The account of `ssn` if the caller may see it; shared by the API and the pages.
pub async fn visible_account(
    app: &AppState,
    caller: &Caller,
    ssn: &Ssn,
) -> Result<Account, ApiError> {
    caller.require(READERS)?;
    let account = app.store.account_by_ssn(ssn).await?;
    caller.may_see(&account.employer_id, &account.region_code)?;
    Ok(account)
}
