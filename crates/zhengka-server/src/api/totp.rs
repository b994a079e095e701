//! TOTP for the signed-in user: enrol (a new secret, shown once), then
//! confirm with a code from the app; from then on sign-in needs `totp`.
//! Switching it off takes a current code too. The pages call the same
//! functions (`start`, `switch_on`, `switch_off`).

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use zhengka_store::{Audit, StoreError, TOTP_ACTIVE, TOTP_CHANGED, Write};

use super::{Reply, reply};
use crate::AppState;
use crate::auth::{Caller, token, totp};
use crate::http::{ApiError, JsonBody};

fn event(caller: &Caller, action: &'static str) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action,
        entity_type: "user",
        entity_id: caller.user.id.clone(),
        details: json!({}),
    })
}

fn already_active() -> ApiError {
    ApiError::conflict("totp_already_active", "TOTP is already on for this account")
}

fn changed() -> ApiError {
    ApiError::conflict(
        "totp_changed",
        "TOTP was switched on or enrolled again meanwhile; reload and retry",
    )
}

fn wrong_code() -> ApiError {
    ApiError::invalid(
        "code",
        "wrong_code",
        "that code does not match; check the device clock",
    )
}

/// The caller's TOTP state: none, pending (enrolled, not confirmed) or on.
pub async fn current(
    app: &AppState,
    caller: &Caller,
) -> Result<Option<zhengka_store::Totp>, ApiError> {
    Ok(app
        .store
        .user_by_username(&caller.user.username)
        .await?
        .totp)
}

/// What an authenticator app needs: the secret in base32 and its otpauth URI.
pub struct Enrolment {
    pub secret: String,
    pub otpauth_uri: String,
}

/// The enrolment of a `secret` for `caller`, as the app reads it.
pub fn enrolment(app: &AppState, caller: &Caller, secret: &[u8]) -> Enrolment {
    let issuer = format!("zhengka {}", app.config.issuer_region);
    Enrolment {
        secret: totp::base32(secret),
        otpauth_uri: totp::otpauth_uri(&issuer, &caller.user.username, secret),
    }
}

/// A new pending secret for the caller (staff, and e-card holders who want
/// it; a holder's password reset through a fresh real-person check switches
/// it off, for a lost phone).
pub async fn start(app: &AppState, caller: &Caller) -> Result<Enrolment, ApiError> {
    if current(app, caller).await?.is_some_and(|t| t.active) {
        return Err(already_active());
    }
    let secret = token::random_bytes::<20>();
    // The check above answers early; the store refuses the write itself if a
    // confirmation switched TOTP on meanwhile.
    app.store
        .enrol_totp(
            &caller.user.id,
            &secret,
            event(caller, "user.totp_enrolled"),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { what } if what == TOTP_ACTIVE => already_active(),
            other => other.into(),
        })?;
    Ok(enrolment(app, caller, &secret))
}

/// `POST /api/v1/users/me/totp`: a new secret for the caller.
pub async fn enrol(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    let e = start(&app, &caller).await?;
    reply(
        StatusCode::CREATED,
        &json!({ "secret": e.secret, "otpauth_uri": e.otpauth_uri }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    code: String,
}

/// Switch TOTP on for the pending secret with a current `code`.
pub async fn switch_on(app: &AppState, caller: &Caller, code: &str) -> Result<(), ApiError> {
    let pending = current(app, caller)
        .await?
        .filter(|t| !t.active)
        .ok_or_else(|| {
            ApiError::conflict(
                "no_pending_totp",
                "enrol first (POST /api/v1/users/me/totp)",
            )
        })?;
    let step = totp::matching_step(&pending.secret, code, Utc::now().timestamp())
        .ok_or_else(wrong_code)?;
    // Activation and the use of this code's step are one write, guarded by the
    // secret still being the pending one (a new enrolment in between wins).
    app.store
        .activate_totp(
            &caller.user.id,
            &pending.secret,
            step,
            event(caller, "user.totp_activated"),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { what } if what == TOTP_CHANGED => changed(),
            other => other.into(),
        })
}

/// `POST /api/v1/users/me/totp/confirm`: switch TOTP on with a current code.
pub async fn confirm(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let body: Confirm = body.parse()?;
    switch_on(&app, &caller, &body.code).await?;
    reply(StatusCode::OK, &json!({ "totp": "active" }))
}

/// Switch TOTP off with a current, unused `code`: whoever holds only the
/// session (a borrowed computer) cannot weaken the sign-in.
pub async fn switch_off(app: &AppState, caller: &Caller, code: &str) -> Result<(), ApiError> {
    let on = current(app, caller)
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| ApiError::conflict("totp_not_active", "TOTP is not on for this account"))?;
    let step = totp::matching_step(&on.secret, code, Utc::now().timestamp())
        .filter(|s| on.last_step.is_none_or(|used| *s > used))
        .ok_or_else(wrong_code)?;
    app.store
        .disable_totp(
            &caller.user.id,
            &on.secret,
            step,
            event(caller, "user.totp_disabled"),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { what } if what == TOTP_CHANGED => changed(),
            other => other.into(),
        })
}

/// `POST /api/v1/users/me/totp/disable`: switch TOTP off with a current code.
pub async fn disable(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let body: Confirm = body.parse()?;
    switch_off(&app, &caller, &body.code).await?;
    reply(StatusCode::OK, &json!({ "totp": "off" }))
}
