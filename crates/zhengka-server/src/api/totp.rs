//! Enrolling TOTP for the signed-in user: enrol (a new secret, shown once),
//! then confirm with a code from the app. From then on sign-in needs `totp`.

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

async fn current(app: &AppState, caller: &Caller) -> Result<Option<zhengka_store::Totp>, ApiError> {
    Ok(app
        .store
        .user_by_username(&caller.user.username)
        .await?
        .totp)
}

/// `POST /api/v1/users/me/totp`: a new secret for the caller (staff, and
/// e-card holders who want it; a holder's password reset through a fresh
/// real-person check switches it off, for a lost phone).
pub async fn enrol(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    if current(&app, &caller).await?.is_some_and(|t| t.active) {
        return Err(already_active());
    }
    let secret = token::random_bytes::<20>();
    // The check above answers early; the store refuses the write itself if a
    // confirmation switched TOTP on meanwhile.
    app.store
        .enrol_totp(
            &caller.user.id,
            &secret,
            event(&caller, "user.totp_enrolled"),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { what } if what == TOTP_ACTIVE => already_active(),
            other => other.into(),
        })?;
    let issuer = format!("zhengka {}", app.config.issuer_region);
    reply(
        StatusCode::CREATED,
        &json!({
            "secret": totp::base32(&secret),
            "otpauth_uri": totp::otpauth_uri(&issuer, &caller.user.username, &secret),
        }),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    code: String,
}

/// `POST /api/v1/users/me/totp/confirm`: switch TOTP on with a current code.
pub async fn confirm(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let body: Confirm = body.parse()?;
    let pending = current(&app, &caller)
        .await?
        .filter(|t| !t.active)
        .ok_or_else(|| {
            ApiError::conflict(
                "no_pending_totp",
                "enrol first (POST /api/v1/users/me/totp)",
            )
        })?;
    let step = totp::matching_step(&pending.secret, &body.code, Utc::now().timestamp())
        .ok_or_else(|| {
            ApiError::invalid(
                "code",
                "wrong_code",
                "that code does not match; check the device clock",
            )
        })?;
    // Activation and the use of this code's step are one write, guarded by the
    // secret still being the pending one (a new enrolment in between wins).
    app.store
        .activate_totp(
            &caller.user.id,
            &pending.secret,
            step,
            event(&caller, "user.totp_activated"),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict { what } if what == TOTP_CHANGED => ApiError::conflict(
                "totp_changed",
                "TOTP was switched on or enrolled again meanwhile; reload and retry",
            ),
            other => other.into(),
        })?;
    reply(StatusCode::OK, &json!({ "totp": "active" }))
}
