use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{Application, ApplicationKind, ApplicationStatus};
use zhengka_store::permits::region_prefix;
use zhengka_store::{ApplicationFilter, ApplicationOrder};

use crate::AppState;
use crate::api::{Reply, limit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery};

/// The list's parameters, the same for the API and the pages. Empty values
/// (an untouched form field) mean "no filter".
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// One status, or `in_progress` for "my work in progress" (not final).
    pub status: Option<String>,
    pub kind: Option<String>,
    /// A passport number, a passport name (exact) or a permit number.
    pub q: Option<String>,
    /// Filed on or after / on or before (`YYYY-MM-DD`).
    pub from: Option<String>,
    pub to: Option<String>,
    /// `newest` (default) or `due`: nearest legal time limit first.
    pub order: Option<String>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// One page of a list and where it stands in the whole: `total` rows match,
/// `remaining` of them from this page's first on.
#[derive(Debug, Serialize)]
pub struct Listed<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    pub total: i64,
    #[serde(skip)]
    pub remaining: i64,
}

impl<T: Serialize> Listed<T> {
    /// The 1-based position of the first row shown ("51–100 of 124").
    pub fn first(&self) -> i64 {
        self.total - self.remaining + 1
    }
}

/// `GET /api/v1/applications`: the employer's own, or the officer's region.
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    reply(StatusCode::OK, &find(&app, &caller, &q).await?)
}

/// The applications `caller` may see that match `q`, a page of them with
/// the count. Shared by the API and the pages.
pub async fn find(
    app: &AppState,
    caller: &Caller,
    q: &ListQuery,
) -> Result<Listed<Application>, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let mut filter = filter(q)?;
    scope(caller, &mut filter)?;
    let found = app.store.list_applications(&filter).await?;
    let remaining = app.store.count_applications(&filter).await?;
    let total = match filter.after.take() {
        Some(_) => app.store.count_applications(&filter).await?,
        None => remaining,
    };
    Ok(Listed {
        items: found.items,
        next_cursor: found.next_cursor.map(|(k, id)| format!("{k}|{id}")),
        total,
        remaining,
    })
}

fn filter(q: &ListQuery) -> Result<ApplicationFilter, ApiError> {
    let created_from = date(q.from.as_deref(), "from")?;
    let created_to = date(q.to.as_deref(), "to")?;
    if created_from.zip(created_to).is_some_and(|(f, t)| t < f) {
        return Err(ApiError::invalid(
            "to",
            "end_before_start",
            "to is before from",
        ));
    }
    Ok(ApplicationFilter {
        kind: given(&q.kind)
            .map(|k| {
                ApplicationKind::parse(k).ok_or_else(|| {
                    ApiError::invalid("kind", "unknown_value", "not an application kind")
                })
            })
            .transpose()?,
        statuses: statuses(given(&q.status))?,
        search: search(&q.q)?,
        created_from,
        created_to,
        order: match given(&q.order) {
            None | Some("newest") => ApplicationOrder::Newest,
            Some("due") => ApplicationOrder::DueFirst,
            Some(_) => {
                return Err(ApiError::invalid("order", "unknown_value", "newest or due"));
            }
        },
        limit: limit(q.limit)?,
        after: given(&q.cursor).map(parse_cursor).transpose()?,
        ..ApplicationFilter::default()
    })
}

/// A parameter's value. A blank one is still a value (`?status=` is refused,
/// not read as "all"): the pages leave out what was not chosen.
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref()
}

/// The search text, trimmed; blank is refused.
pub fn search(raw: &Option<String>) -> Result<Option<String>, ApiError> {
    match raw.as_deref().map(str::trim) {
        None => Ok(None),
        Some("") => Err(ApiError::invalid(
            "q",
            "required",
            "type what to search for",
        )),
        Some(text) => Ok(Some(text.to_owned())),
    }
}

pub fn date(raw: Option<&str>, field: &'static str) -> Result<Option<NaiveDate>, ApiError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<NaiveDate>()
                .map_err(|_| ApiError::invalid(field, "invalid_date", "a date is YYYY-MM-DD"))
        })
        .transpose()
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

/// A keyset cursor `key|id`, as `next_cursor` gives it.
pub fn parse_cursor(raw: &str) -> Result<(String, String), ApiError> {
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
