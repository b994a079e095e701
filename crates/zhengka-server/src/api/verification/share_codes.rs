//! Share codes: the holder lets one employer check their right to work
//! (`POST /api/v1/ecard/share-codes {purpose}`, shown once; single use,
//! 24 h), and sees the codes made and whether they were used
//! (`GET /api/v1/ecard/share-codes`). Only the code's SHA-256 is kept.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::verification::{Presented, VerificationPurpose, accepted, share_code};
use zhengka_store::ShareCode;

use crate::AppState;
use crate::api::ecard::own_holder;
use crate::api::{Reply, audit, reply};
use crate::auth::{Caller, token};
use crate::http::{ApiError, JsonBody};

/// A holder makes at most this many codes a day (each is a way in).
const CODES_PER_DAY: i64 = 10;

/// The stored form of a canonical code.
pub fn code_hash(code: &str) -> String {
    token::hash(code)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewShareCode {
    purpose: String,
}

#[derive(Serialize)]
struct Made<'a> {
    code: &'a str,
    purpose: VerificationPurpose,
    expires_at: DateTime<Utc>,
}

/// Make a code; shared by the API and the page. The code is in the answer
/// only (no idempotency record keeps it).
pub async fn make(
    app: &AppState,
    caller: &Caller,
    purpose: &str,
) -> Result<(String, ShareCode), ApiError> {
    let holder = own_holder(app, caller).await?;
    let purpose = VerificationPurpose::parse(purpose)
        .map_err(|e| ApiError::invalid("purpose", e.code, e.message))?;
    if !accepted(purpose).contains(&Presented::ShareCode) {
        return Err(ApiError::invalid(
            "purpose",
            "share_code_not_used_for_purpose",
            "this purpose is checked with the live QR, not a share code",
        ));
    }
    let now = Utc::now();
    let key = format!("share-code:{}", holder.id);
    let counted = app
        .store
        .count_attempt(&key, Duration::days(1), now)
        .await?;
    if counted.count > CODES_PER_DAY {
        let left = (counted.window_ends - now).num_seconds();
        return Err(ApiError::TooManyRequests {
            retry_after_secs: u64::try_from(left).unwrap_or(0).max(1),
        });
    }
    let code = share_code::format(token::random_u64());
    let shared = ShareCode {
        holder_id: holder.id.clone(),
        permit_number: holder.permit_number.as_str().to_owned(),
        purpose,
        created_at: now,
        expires_at: now + share_code::lifetime(),
        used_at: None,
    };
    let body = json!({ "purpose": purpose, "expires_at": shared.expires_at });
    let r = reply(StatusCode::CREATED, &body)?;
    let write = audit(
        caller,
        None,
        "share_code.created",
        ("holder", &holder.id),
        json!({ "purpose": purpose.as_str(), "expires_at": shared.expires_at }),
        &r,
    );
    app.store
        .insert_share_code(&code_hash(&code), &shared, write)
        .await?;
    Ok((code, shared))
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let req: NewShareCode = body.parse()?;
    let (code, shared) = make(&app, &caller, &req.purpose).await?;
    reply(
        StatusCode::CREATED,
        &Made {
            code: &code,
            purpose: shared.purpose,
            expires_at: shared.expires_at,
        },
    )
}

pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let items = app.store.share_codes_of(&holder.id, 50).await?;
    reply(StatusCode::OK, &json!({ "items": items }))
}
