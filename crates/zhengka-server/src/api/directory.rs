//! `GET /api/v1/employers` and `GET /api/v1/users` (admin): searched, paged by
//! their key, with the total count.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use zhengka_domain::employer::{Employer, Role, User};
use zhengka_store::{Counted, EmployerFilter, UserFilter};

use crate::AppState;
use crate::api::permits::applications::list::{Listed, search};
use crate::api::{Reply, limit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DirectoryQuery {
    /// Employers: a USCC (exact) or a part of the name. Users: a part of the
    /// user name.
    pub q: Option<String>,
    /// Users only: one role.
    pub role: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

pub async fn employers(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
) -> Result<Reply, ApiError> {
    reply(StatusCode::OK, &find_employers(&app, &caller, &q).await?)
}

pub async fn users(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
) -> Result<Reply, ApiError> {
    reply(StatusCode::OK, &find_users(&app, &caller, &q).await?)
}

/// Shared by the API and the admin pages.
pub async fn find_employers(
    app: &AppState,
    caller: &Caller,
    q: &DirectoryQuery,
) -> Result<Listed<Employer>, ApiError> {
    caller.require(&[Role::Admin])?;
    if q.role.is_some() {
        return Err(ApiError::invalid(
            "role",
            "unknown_field",
            "employers have no role",
        ));
    }
    let limit = limit(q.limit)?;
    let f = EmployerFilter {
        search: search(&q.q)?,
        after: q.cursor.clone(),
        // One more than asked tells whether a next page exists.
        limit: limit + 1,
    };
    let found = app.store.find_employers(&f).await?;
    Ok(paged(found, limit, |e| e.id.clone()))
}

/// Shared by the API and the admin pages.
pub async fn find_users(
    app: &AppState,
    caller: &Caller,
    q: &DirectoryQuery,
) -> Result<Listed<User>, ApiError> {
    caller.require(&[Role::Admin])?;
    let role = q
        .role
        .as_deref()
        .map(|r| {
            Role::parse(r)
                .map(|r| r.as_str().to_owned())
                .ok_or_else(|| ApiError::invalid("role", "unknown_value", "not a role"))
        })
        .transpose()?;
    let limit = limit(q.limit)?;
    let f = UserFilter {
        role,
        search: search(&q.q)?,
        after: q.cursor.clone(),
        limit: limit + 1,
    };
    let found = app.store.find_users(&f).await?;
    Ok(paged(found, limit, |u| u.username.clone()))
}

/// A page of `limit` from `found` (fetched one over), its cursor and count.
fn paged<T: Serialize>(found: Counted<T>, limit: i64, key: impl Fn(&T) -> String) -> Listed<T> {
    let Counted {
        mut items,
        total,
        remaining,
    } = found;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = items.last().filter(|_| more).map(key);
    Listed {
        items,
        next_cursor,
        total,
        remaining,
    }
}
