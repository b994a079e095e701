//! `GET /api/v1/permits`: the permits list, searchable, and the officers'
//! follow-up queue (`?follow_up=onsite`): approved holders still to enter or
//! to bring their originals, nearest 30-day deadline first.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::{Permit, PermitStatus};
use zhengka_store::PermitFilter;
use zhengka_store::permits::region_prefix;

use super::applications::list::{Listed, given, parse_cursor, search};
use crate::AppState;
use crate::api::{Reply, limit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PermitQuery {
    pub status: Option<String>,
    /// A passport number, a passport name (exact) or a permit number.
    pub q: Option<String>,
    /// `onsite`: only permits whose on-site check is still to be done.
    pub follow_up: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// `GET /api/v1/permits`: the employer's permits, or the officer's region.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PermitQuery>,
) -> Result<Reply, ApiError> {
    reply(StatusCode::OK, &find(&app, &caller, &q).await?)
}

/// The permits `caller` may see that match `q`, with the count. Shared by the
/// API and the pages.
pub async fn find(
    app: &AppState,
    caller: &Caller,
    q: &PermitQuery,
) -> Result<Listed<Permit>, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let mut filter = filter(q)?;
    match caller.user.role {
        Role::EmployerAgent => filter.employer_id = Some(caller.employer_id()?.to_owned()),
        Role::PermitOfficer => {
            let region = caller
                .user
                .region_code
                .as_ref()
                .ok_or(ApiError::Forbidden)?;
            filter.region_prefix = Some(region_prefix(region).to_owned());
        }
        _ => {}
    }
    let found = app.store.find_permits(&filter).await?;
    let remaining = app.store.count_permits(&filter).await?;
    let total = match filter.after.take() {
        Some(_) => app.store.count_permits(&filter).await?,
        None => remaining,
    };
    Ok(Listed {
        items: found.items,
        next_cursor: found.next_cursor.map(|(k, n)| format!("{k}|{n}")),
        total,
        remaining,
    })
}

fn filter(q: &PermitQuery) -> Result<PermitFilter, ApiError> {
    let status = given(&q.status)
        .map(|s| {
            PermitStatus::parse(s)
                .ok_or_else(|| ApiError::invalid("status", "unknown_value", "not a permit status"))
        })
        .transpose()?;
    let follow_up = match given(&q.follow_up) {
        None => false,
        Some("onsite") => true,
        Some(_) => {
            return Err(ApiError::invalid("follow_up", "unknown_value", "onsite"));
        }
    };
    Ok(PermitFilter {
        statuses: status.into_iter().collect(),
        search: search(&q.q)?,
        follow_up,
        after: given(&q.cursor).map(|c| cursor(c, follow_up)).transpose()?,
        limit: limit(q.limit)?,
        ..PermitFilter::default()
    })
}

/// By permit number the cursor is the last number seen (as before the
/// follow-up queue had a cursor of its own); the queue's is `deadline|number`.
fn cursor(raw: &str, follow_up: bool) -> Result<(String, String), ApiError> {
    if follow_up || raw.contains('|') {
        parse_cursor(raw)
    } else {
        Ok((String::new(), raw.to_owned()))
    }
}
