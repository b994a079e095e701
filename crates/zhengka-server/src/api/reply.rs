//! Building responses and the audit/idempotency context of a write.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use zhengka_store::{Audit, Write};

use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::idempotency::{IdempotencyKey, write_with};

/// A JSON body already serialised, so the same bytes can be stored for replay.
pub struct Reply {
    pub status: StatusCode,
    pub body: String,
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut r = (self.status, self.body).into_response();
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        r
    }
}

pub fn reply<T: Serialize>(status: StatusCode, value: &T) -> Result<Reply, ApiError> {
    let body = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Reply { status, body })
}

/// An audit event by `caller` on one entity, and the write context around it.
pub fn audit(
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    action: &'static str,
    entity: (&'static str, &str),
    details: serde_json::Value,
    reply: &Reply,
) -> Write {
    let event = Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action,
        entity_type: entity.0,
        entity_id: entity.1.to_owned(),
        details,
    };
    write_with(event, key, &caller.user.id, reply.status, &reply.body)
}

#[derive(Serialize)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

pub fn page<T: Serialize>(items: Vec<T>, next_cursor: Option<String>) -> Page<T> {
    Page { items, next_cursor }
}

/// `?limit=` clamped to 1..=100, default 20.
pub fn limit(raw: Option<i64>) -> Result<i64, ApiError> {
    match raw {
        None => Ok(20),
        Some(n) if (1..=100).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::invalid(
            "limit",
            "out_of_range",
            "limit must be 1 to 100",
        )),
    }
}
