//! Sign in and sign out.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_store::{Audit, StoreError, Write};

use super::{Reply, reply};
use crate::AppState;
use crate::auth::{Caller, password, token};
use crate::http::{ApiError, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct SessionView<'a> {
    token: &'a str,
    role: &'a str,
    user_id: &'a str,
    expires_at: String,
}

/// `POST /api/v1/sessions`
pub async fn create(State(app): State<AppState>, body: JsonBody) -> Result<Reply, ApiError> {
    let body: SignIn = body.parse()?;
    let username = body.username.trim().to_ascii_lowercase();
    if let Some(retry_after_secs) = app.limiter.check(&username, Instant::now()) {
        return Err(ApiError::TooManyRequests { retry_after_secs });
    }
    let record = match app.store.user_by_username(&username).await {
        Ok(r) => Some(r),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let stored = record.as_ref().map(|r| r.password_hash.clone());
    // An unknown user is verified against a dummy hash: same time, same answer.
    if !password::verify(body.password, stored).await || record.is_none() {
        app.limiter.failed(&username, Instant::now());
        tracing::info!(outcome = "failed", "sign-in");
        return Err(ApiError::Unauthorized {
            code: "invalid_credentials",
            message: "wrong username or password".into(),
        });
    }
    let user = record.expect("checked above").user;
    app.limiter.succeeded(&username);
    let token = token::generate();
    let now = Utc::now();
    let expires_at = now + Duration::hours(app.config.session_hours);
    let audit = Audit {
        at: now,
        actor: user.id.clone(),
        action: "session.created",
        entity_type: "user",
        entity_id: user.id.clone(),
        details: json!({}),
    };
    app.store
        .insert_session(
            &token::hash(&token),
            &user.id,
            expires_at,
            Write::new(audit),
        )
        .await?;
    let view = SessionView {
        token: &token,
        role: user.role.as_str(),
        user_id: &user.id,
        expires_at: expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    reply(StatusCode::CREATED, &view)
}

/// `DELETE /api/v1/sessions/current`
pub async fn delete(State(app): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    let audit = Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action: "session.deleted",
        entity_type: "user",
        entity_id: caller.user.id.clone(),
        details: json!({}),
    };
    app.store
        .delete_session(&caller.token_hash, Write::new(audit))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
