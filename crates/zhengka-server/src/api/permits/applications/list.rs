use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{ApplicationKind, ApplicationStatus};
use zhengka_store::ApplicationFilter;
use zhengka_store::permits::region_prefix;

use crate::AppState;
use crate::api::{Reply, limit, page, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// One status, or `in_progress` for "my work in progress" (not final).
    status: Option<String>,
    kind: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /api/v1/applications`: the employer's own, or the officer's region.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let mut filter = ApplicationFilter {
        kind: q
            .kind
            .as_deref()
            .map(|k| {
                ApplicationKind::parse(k).ok_or_else(|| {
                    ApiError::invalid("kind", "unknown_value", "not an application kind")
                })
            })
            .transpose()?,
        limit: limit(q.limit)?,
        statuses: statuses(q.status.as_deref())?,
        after: q.cursor.as_deref().map(parse_cursor).transpose()?,
        ..ApplicationFilter::default()
    };
    scope(&caller, &mut filter)?;
    let found = app.store.list_applications(&filter).await?;
    let next = found.next_cursor.map(|(at, id)| format!("{at}|{id}"));
    reply(StatusCode::OK, &page(found.items, next))
}

/// Narrow `filter` to what the caller may see: an agent's own employer, an
/// officer's region. Shared by the API and the pages.
pub fn scope(caller: &Caller, filter: &mut ApplicationFilter) -> Result<(), ApiError> {
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
    Ok(())
}

fn statuses(raw: Option<&str>) -> Result<Vec<ApplicationStatus>, ApiError> {
    match raw {
        None => Ok(vec![]),
        Some("in_progress") => Ok(ApplicationStatus::ALL
            .into_iter()
            .filter(|s| !s.is_final())
            .collect()),
        Some(s) => ApplicationStatus::parse(s).map(|s| vec![s]).ok_or_else(|| {
            ApiError::invalid("status", "unknown_value", "not an application status")
        }),
    }
}

fn parse_cursor(raw: &str) -> Result<(String, String), ApiError> {
    raw.split_once('|')
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .ok_or_else(|| {
            ApiError::invalid(
                "cursor",
                "invalid_cursor",
                "use next_cursor from the previous page",
            )
        })
}
