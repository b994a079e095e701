//! The one-card service catalogue: public to read (filter by sector and
//! region, paged by code), kept by the admin one by one or by import (CSV or
//! JSON lines, all services or none, every bad line reported).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::cards::LineError;
use zhengka_domain::employer::Role;
use zhengka_domain::ids::RegionCode;
use zhengka_domain::verification::services::check;
use zhengka_domain::verification::{Sector, Service, ServiceInput, parse_import};
use zhengka_store::{Audit, ServiceFilter, StoreError, Write};

use crate::AppState;
use crate::api::{Reply, limit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiPath, ApiQuery, JsonBody, invalid_at};

/// An import of the largest catalogue (10,000 services) fits.
pub const IMPORT_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    sector: Option<String>,
    region_code: Option<String>,
    include_inactive: Option<bool>,
}

#[derive(Serialize)]
struct ServicePage<'a> {
    items: &'a [Service],
    next_cursor: Option<&'a str>,
    total: i64,
}

pub async fn list(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Reply, ApiError> {
    let limit = limit(q.limit)?;
    let f = ServiceFilter {
        sector: q
            .sector
            .as_deref()
            .map(Sector::parse)
            .transpose()
            .map_err(|e| invalid_at("sector", e))?,
        region: q
            .region_code
            .as_deref()
            .map(RegionCode::parse)
            .transpose()
            .map_err(|e| invalid_at("region_code", e))?,
        include_inactive: q.include_inactive.unwrap_or(false),
        after: q.cursor,
        limit,
    };
    let (items, total) = app.store.list_services(&f).await?;
    let next = (items.len() as i64 == limit)
        .then(|| items.last().map(|s| s.code.as_str()))
        .flatten();
    reply(
        StatusCode::OK,
        &ServicePage {
            items: &items,
            next_cursor: next,
            total,
        },
    )
}

pub async fn get(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Reply, ApiError> {
    match app.store.get_service(&code.to_ascii_uppercase()).await {
        Ok(s) => reply(StatusCode::OK, &s),
        Err(StoreError::NotFound) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

fn missing() -> ApiError {
    ApiError::Missing {
        code: "service_not_found",
        message: "no such service",
    }
}

/// The first error of an admin's service, on its field.
fn checked(input: &ServiceInput) -> Result<Service, ApiError> {
    check(input).map_err(|mut errors| {
        let (field, e) = errors.remove(0);
        invalid_at(field, e)
    })
}

fn write(caller: &Caller, action: &'static str, code: &str, details: serde_json::Value) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action,
        entity_type: "service",
        entity_id: code.to_owned(),
        details,
    })
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let s = checked(&body.parse()?)?;
    let w = write(
        &caller,
        "service.created",
        &s.code,
        json!({ "sector": s.sector }),
    );
    match app.store.insert_service(&s, w).await {
        Ok(()) => reply(StatusCode::CREATED, &s),
        Err(StoreError::Conflict { .. }) => Err(ApiError::Conflict {
            code: "service_exists",
            message: "a service has this code; PUT /api/v1/services/{code} changes it".into(),
            field: Some("code"),
        }),
        Err(e) => Err(e.into()),
    }
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(code): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let s = checked(&body.parse()?)?;
    if s.code != code.to_ascii_uppercase() {
        return Err(ApiError::invalid(
            "code",
            "code_mismatch",
            "the body's code is the path's",
        ));
    }
    let w = write(
        &caller,
        "service.updated",
        &s.code,
        json!({ "active": s.active }),
    );
    match app.store.update_service(&s, w).await {
        Ok(()) => reply(StatusCode::OK, &s),
        Err(StoreError::NotFound) => Err(missing()),
        Err(e) => Err(e.into()),
    }
}

pub async fn import(
    State(app): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Admin])?;
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let known = [
        "text/csv",
        "application/x-ndjson",
        "application/jsonl",
        "text/plain",
    ];
    if !known.iter().any(|k| ct.starts_with(k)) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::bad_request("invalid_utf8", "the import file is not UTF-8"))?;
    let services = match parse_import(text) {
        Ok(s) => s,
        Err(lines) => return Ok(line_errors(lines)),
    };
    let w = write(
        &caller,
        "service.imported",
        "catalogue",
        json!({ "services": services.len() }),
    );
    let done = app.store.import_services(&services, w).await?;
    let body = json!({ "created": done.created, "updated": done.updated });
    Ok(reply(StatusCode::OK, &body)?.into_response())
}

/// 422 with the error envelope and every bad line; nothing was imported.
fn line_errors(lines: Vec<LineError>) -> Response {
    let body = json!({
        "error": { "code": "invalid_import", "message": format!("{} bad line(s); nothing was imported", lines.len()), "field": null },
        "lines": lines,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}
