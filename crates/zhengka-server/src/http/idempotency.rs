//! `Idempotency-Key` on writes. The handler stores its response together with
//! its change (one transaction); a retry with the same key within 24 hours
//! (`IDEMPOTENCY_TTL_HOURS`) gets that response back and changes nothing. The
//! same key with a different request is refused.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use zhengka_store::{IdempotentResponse, Write};

use super::ApiError;
use crate::AppState;
use crate::auth::caller::authenticate;

pub const HEADER: &str = "idempotency-key";
const MAX_BODY: usize = 1024 * 1024;

/// Writes whose response must never be stored: a sign-in answers with a
/// session token, and the caller has no identity to key a record by yet. The
/// key is checked and accepted; a retry simply signs in again (a new session).
const NEVER_REPLAYED: &[&str] = &["/api/v1/sessions"];

/// Public writes (no caller to key a record by): e-card registration, its
/// real-person step and the password reset. Each is safe to retry as it is
/// (a retried step is refused as used, not applied twice).
fn public_write(path: &str) -> bool {
    path.starts_with("/api/v1/ecard/registrations") || path == "/api/v1/ecard/password-resets"
}

/// Answers that hold a secret shown once (an API credential, a webhook's
/// signing secret): never stored
/// for a replay, like a session token.
fn holds_a_secret(path: &str) -> bool {
    path.starts_with("/api/v1/relying-parties/") && path.ends_with("/credentials")
        || path == "/api/v1/webhooks"
        || path.starts_with("/api/v1/webhooks/") && path.ends_with("/rotate-secret")
}

/// Placed in the request extensions for the handler.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

pub async fn guard(State(app): State<AppState>, req: Request, next: Next) -> Response {
    match check(&app, req).await {
        Ok(Ok(req)) => next.run(req).await,
        Ok(Err(replay)) => replay,
        Err(e) => e.into_response(),
    }
}

/// `Ok(Ok(req))` to go on, `Ok(Err(response))` to replay a stored response.
async fn check(app: &AppState, req: Request) -> Result<Result<Request, Response>, ApiError> {
    let Some(raw) = req.headers().get(HEADER) else {
        return Ok(Ok(req));
    };
    if req.method() != Method::POST && req.method() != Method::PUT && req.method() != Method::DELETE
    {
        return Ok(Ok(req));
    }
    let key = raw
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "1 to 255 visible ASCII characters",
            )
        })?
        .to_owned();
    let path = req.uri().path();
    if req.method() == Method::POST
        && (NEVER_REPLAYED.contains(&path) || public_write(path) || holds_a_secret(path))
    {
        return Ok(Ok(req));
    }
    let (mut parts, body) = req.into_parts();
    let caller = authenticate(&parts, app).await?;
    // Uploads carry a file; every other body is small.
    let max = if parts.uri.path().ends_with("/materials") {
        crate::api::permits::materials::BODY_LIMIT
    } else {
        MAX_BODY
    };
    let bytes = axum::body::to_bytes(body, max)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let request_hash = super::super::auth::token::hash(&format!(
        "{} {}\n{}",
        parts.method,
        parts.uri.path(),
        String::from_utf8_lossy(&bytes)
    ));
    let now = chrono::Utc::now();
    if let Some(stored) = app
        .store
        .idempotent_response(caller.id(), &key, now)
        .await?
    {
        return replay(stored, &request_hash).map(Err);
    }
    parts.extensions.insert(caller);
    parts
        .extensions
        .insert(IdempotencyKey { key, request_hash });
    Ok(Ok(Request::from_parts(parts, Body::from(bytes))))
}

fn replay(stored: IdempotentResponse, request_hash: &str) -> Result<Response, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::Invalid {
            code: "idempotency_key_reused".into(),
            message: "this Idempotency-Key was used for a different request".into(),
            field: None,
        });
    }
    let status =
        StatusCode::from_u16(stored.status).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// The write context for a handler: audit event plus, when the request carried a
/// key, the response to store with it.
pub fn write_with(
    audit: zhengka_store::Audit,
    key: Option<&IdempotencyKey>,
    user_id: &str,
    status: StatusCode,
    body: &str,
) -> Write {
    let mut write = Write::new(audit);
    write.idempotency = key.map(|k| IdempotentResponse {
        user_id: user_id.to_owned(),
        key: k.key.clone(),
        request_hash: k.request_hash.clone(),
        status: status.as_u16(),
        body: body.to_owned(),
    });
    write
}
