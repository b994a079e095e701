//! Sign in and sign out.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::employer::User;
use zhengka_store::{Audit, StoreError, Write};

use super::{Reply, reply};
use crate::AppState;
use crate::auth::rate_limit::{self, SIGN_IN};
use crate::auth::{Caller, password, token, totp};
use crate::http::{ApiError, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    username: String,
    password: String,
    /// Required once the user has switched TOTP on.
    #[serde(default)]
    totp: Option<String>,
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
    let signed_in =
        sign_in_with_totp(&app, &body.username, body.password, body.totp.as_deref()).await?;
    let view = SessionView {
        token: &signed_in.token,
        role: signed_in.user.role.as_str(),
        user_id: &signed_in.user.id,
        expires_at: signed_in
            .expires_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    reply(StatusCode::CREATED, &view)
}

/// A new session: the token (shown once), its user, and when it expires.
pub struct SignedIn {
    pub token: String,
    pub user: User,
    pub expires_at: DateTime<Utc>,
}

/// Check the password (throttled per username) and open a session. Shared by
/// the API and the sign-in page.
pub async fn sign_in(app: &AppState, username: &str, pass: String) -> Result<SignedIn, ApiError> {
    sign_in_with_totp(app, username, pass, None).await
}

fn wrong() -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_credentials",
        message: "wrong username or password".into(),
    }
}

/// As [`sign_in`], with the TOTP code for accounts that have switched it on.
pub async fn sign_in_with_totp(
    app: &AppState,
    username: &str,
    pass: String,
    code: Option<&str>,
) -> Result<SignedIn, ApiError> {
    let username = holder_username(app, &username.trim().to_ascii_lowercase()).await?;
    // Counted before the password is looked at: parallel guesses each take a
    // place in the count, and those over the limit are refused unevaluated.
    let limit_key = rate_limit::sign_in_key(&username);
    rate_limit::attempt(app.store.as_ref(), &limit_key, SIGN_IN, Utc::now()).await?;
    // No username has a NUL (and PostgreSQL refuses one in text): unknown user.
    let found = if username.contains('\0') {
        Err(StoreError::NotFound)
    } else {
        app.store.user_by_username(&username).await
    };
    let record = match found {
        Ok(r) => Some(r),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let stored = record.as_ref().map(|r| r.password_hash.clone());
    // An unknown user is verified against a dummy hash: same time, same answer.
    if !password::verify(pass, stored).await || record.is_none() {
        tracing::info!(outcome = "failed", "sign-in");
        return Err(wrong());
    }
    let record = record.expect("checked above");
    // Said only to whoever knows the password: the account exists and is off.
    if record.blocked {
        return Err(ApiError::Unauthorized {
            code: "account_disabled",
            message: "this account is switched off; ask the administrator".into(),
        });
    }
    // Only a complete sign-in clears the count: a right password without (or
    // with a wrong) TOTP code keeps it, so codes cannot be guessed past the limit.
    if let Some(t) = record.totp.as_ref().filter(|t| t.active) {
        let Some(code) = code else {
            return Err(ApiError::Unauthorized {
                code: "totp_required",
                message: "this account needs a TOTP code".into(),
            });
        };
        let step = totp::matching_step(&t.secret, code, Utc::now().timestamp());
        // A code is good once: a replayed or older step is refused.
        let fresh = match step {
            Some(step) => app.store.use_totp_step(&record.user.id, step).await?,
            None => false,
        };
        if !fresh {
            return Err(wrong());
        }
    }
    let user = record.user;
    rate_limit::succeeded(app.store.as_ref(), &limit_key).await?;
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
    Ok(SignedIn {
        token,
        user,
        expires_at,
    })
}

/// E-card holders sign in with their permit number (their username) or their
/// SSN: an SSN with an account stands for the account's permit number.
async fn holder_username(app: &AppState, typed: &str) -> Result<String, ApiError> {
    let Ok(ssn) = zhengka_domain::social_security::Ssn::parse(typed) else {
        return Ok(typed.to_owned());
    };
    match app.store.account_by_ssn(&ssn).await {
        Ok(a) => Ok(zhengka_domain::ecard::Holder::username_for(
            &a.permit_number,
        )),
        Err(StoreError::NotFound) => Ok(typed.to_owned()),
        Err(e) => Err(e.into()),
    }
}

/// `DELETE /api/v1/sessions/current`
pub async fn delete(State(app): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    sign_out(&app, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End the caller's session. Shared by the API and the sign-out button.
pub async fn sign_out(app: &AppState, caller: &Caller) -> Result<(), ApiError> {
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
    Ok(())
}
