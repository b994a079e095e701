//! The admin's actions on another's account: switch it off (its sessions
//! end) and on again, clear its sign-in attempts (unlock), and issue a
//! one-time password reset link; and the redemption of that link. Each is
//! one write with its audit event. Shared by the API and the admin page.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::{Role, User};

use super::{Reply, audit, reply};
use crate::AppState;
use crate::auth::{Caller, password, rate_limit, token};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, ApiPath, JsonBody, invalid_at};

/// How long a reset link works: the admin hands it over the same day.
pub const RESET_HOURS: i64 = 24;

/// What an admin may do to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    Disable,
    Enable,
    Unlock,
}

impl AccountAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "disable" => Some(Self::Disable),
            "enable" => Some(Self::Enable),
            "unlock" => Some(Self::Unlock),
            _ => None,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            Self::Disable => "user.disabled",
            Self::Enable => "user.enabled",
            Self::Unlock => "user.unlocked",
        }
    }
}

async fn target(app: &AppState, caller: &Caller, id: &str) -> Result<User, ApiError> {
    caller.require(&[Role::Admin])?;
    Ok(app.store.get_user(id).await?)
}

/// Switch `id` off or on, or unlock its sign-in. An admin does not switch
/// their own account off: the deployment would be left without one.
pub async fn act(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    action: AccountAction,
) -> Result<Reply, ApiError> {
    let user = target(app, caller, id).await?;
    if action == AccountAction::Disable && user.id == caller.user.id {
        return Err(ApiError::conflict(
            "cannot_disable_self",
            "an admin cannot switch their own account off",
        ));
    }
    let body = json!({ "id": user.id, "username": user.username, "action": action.audit_action() });
    let reply = reply(StatusCode::OK, &body)?;
    let details = json!({ "username": user.username });
    let w = audit(
        caller,
        key,
        action.audit_action(),
        ("user", &user.id),
        details,
        &reply,
    );
    match action {
        AccountAction::Disable => app.store.block_user(&user.id, true, Utc::now(), w).await?,
        AccountAction::Enable => app.store.block_user(&user.id, false, Utc::now(), w).await?,
        AccountAction::Unlock => {
            let attempts = rate_limit::sign_in_key(&user.username);
            app.store.unlock_attempts(&attempts, w).await?;
        }
    }
    Ok(reply)
}

/// `POST /api/v1/users/{id}/{action}` (`disable`, `enable`, `unlock`).
pub async fn account_action(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    ApiPath((id, action)): ApiPath<(String, String)>,
) -> Result<Reply, ApiError> {
    let action = AccountAction::parse(&action).ok_or(ApiError::UnknownPath)?;
    act(&app, &caller, key.as_deref(), &id, action).await
}

/// A reset link for `id`: the page path with a fresh token (only its hash is
/// stored) and when it stops working. An earlier link stops at once.
pub async fn reset_link(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
) -> Result<Reply, ApiError> {
    let user = target(app, caller, id).await?;
    let now = Utc::now();
    let expires_at = now + Duration::hours(RESET_HOURS);
    let secret = token::generate();
    let body = json!({ "path": format!("/web/password-reset/{secret}"), "expires_at": expires_at });
    let reply = reply(StatusCode::CREATED, &body)?;
    let details = json!({ "username": user.username, "expires_at": expires_at });
    let w = audit(
        caller,
        key,
        "user.password_reset_issued",
        ("user", &user.id),
        details,
        &reply,
    );
    app.store
        .insert_password_reset(&token::hash(&secret), &user.id, now, expires_at, w)
        .await?;
    Ok(reply)
}

/// `POST /api/v1/users/{id}/password-reset`
pub async fn password_reset(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    reset_link(&app, &caller, key.as_deref(), &id).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redeem {
    pub token: String,
    pub password: String,
}

fn link_not_found() -> ApiError {
    ApiError::Missing {
        code: "reset_link_not_found",
        message: "this reset link was used, replaced or has expired",
    }
}

/// The account a live link is for (the page shows its name).
pub async fn link_user(app: &AppState, secret: &str) -> Result<User, ApiError> {
    let user_id = app
        .store
        .password_reset_user(&token::hash(secret), Utc::now())
        .await
        .map_err(|e| match e {
            zhengka_store::StoreError::NotFound => link_not_found(),
            other => other.into(),
        })?;
    Ok(app.store.get_user(&user_id).await?)
}

/// Set a new password through a link, once; every session of the account ends.
pub async fn redeem(app: &AppState, body: Redeem) -> Result<(), ApiError> {
    password::check_strength(&body.password).map_err(|e| invalid_at("password", e))?;
    let user = link_user(app, &body.token).await?;
    let hash = password::hash(body.password).await?;
    let w = zhengka_store::Write::new(zhengka_store::Audit {
        at: Utc::now(),
        actor: user.id.clone(),
        action: "user.password_reset",
        entity_type: "user",
        entity_id: user.id.clone(),
        details: json!({ "username": user.username }),
    });
    app.store
        .redeem_password_reset(&token::hash(&body.token), &user.id, &hash, Utc::now(), w)
        .await
        .map_err(|e| match e {
            zhengka_store::StoreError::NotFound => link_not_found(),
            other => other.into(),
        })
}

/// `POST /api/v1/password-resets`: a new password with a reset link's token.
pub async fn redeem_link(State(app): State<AppState>, body: JsonBody) -> Result<Reply, ApiError> {
    let body: Redeem = body.parse()?;
    redeem(&app, body).await?;
    reply(StatusCode::OK, &json!({ "password": "changed" }))
}

/// A new role for an account, with the scope the role needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeChange {
    pub role: Role,
    #[serde(default)]
    pub employer_id: Option<String>,
    #[serde(default)]
    pub region_code: Option<zhengka_domain::ids::RegionCode>,
}

/// Change `id`'s role, employer and region (its sessions end, so the person
/// signs in again under the new scope). An admin does not change their own
/// role: the deployment could be left without an admin.
pub async fn set_scope(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    change: ScopeChange,
) -> Result<Reply, ApiError> {
    let user = target(app, caller, id).await?;
    if user.id == caller.user.id {
        return Err(ApiError::conflict(
            "cannot_change_own_role",
            "an admin cannot change their own role",
        ));
    }
    super::users::check_scope(
        app,
        change.role,
        change.employer_id.as_deref(),
        change.region_code.as_ref(),
    )
    .await?;
    let changed = User {
        role: change.role,
        employer_id: change.employer_id,
        region_code: change.region_code,
        ..user.clone()
    };
    let reply = reply(StatusCode::OK, &changed)?;
    let scope = |u: &User| {
        json!({ "role": u.role.as_str(), "employer_id": u.employer_id,
                "region_code": u.region_code.as_ref().map(|r| r.as_str()) })
    };
    let details = json!({ "username": user.username, "from": scope(&user), "to": scope(&changed) });
    let w = audit(
        caller,
        key,
        "user.role_changed",
        ("user", &user.id),
        details,
        &reply,
    );
    app.store.set_user_scope(&changed, w).await?;
    Ok(reply)
}

/// `PUT /api/v1/users/{id}/role` `{role, employer_id?, region_code?}`
pub async fn set_role(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let change: ScopeChange = body.parse()?;
    set_scope(&app, &caller, key.as_deref(), &id, change).await
}
