//! User accounts: created by the admin (and by `zhengka users add`).

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::{Role, User, parse_username};
use zhengka_domain::ids::RegionCode;
use zhengka_store::StoreError;

use super::{Reply, audit, reply};
use crate::AppState;
use crate::auth::{Caller, password};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody, invalid_at};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub role: Role,
    #[serde(default)]
    pub employer_id: Option<String>,
    #[serde(default)]
    pub region_code: Option<RegionCode>,
}

/// Check a new account against the role's scope and build it. Shared with the CLI.
pub async fn build_user(app: &AppState, body: &NewUser) -> Result<User, ApiError> {
    let username = parse_username(&body.username).map_err(|e| invalid_at("username", e))?;
    password::check_strength(&body.password).map_err(|e| invalid_at("password", e))?;
    check_scope(
        app,
        body.role,
        body.employer_id.as_deref(),
        body.region_code.as_ref(),
    )
    .await?;
    Ok(User {
        id: uuid::Uuid::new_v4().to_string(),
        username,
        role: body.role,
        employer_id: body.employer_id.clone(),
        region_code: body.region_code.clone(),
        created_at: Utc::now(),
    })
}

/// A role's scope: an employer agent has exactly one existing employer, an
/// officer exactly one region, anyone else neither.
pub async fn check_scope(
    app: &AppState,
    role: Role,
    employer_id: Option<&str>,
    region_code: Option<&RegionCode>,
) -> Result<(), ApiError> {
    match (role.needs_employer(), employer_id) {
        (true, None) => {
            return Err(ApiError::invalid(
                "employer_id",
                "required",
                "an employer agent acts for one employer",
            ));
        }
        (false, Some(_)) => {
            return Err(ApiError::invalid(
                "employer_id",
                "not_allowed_for_role",
                "only employer agents belong to an employer",
            ));
        }
        // No id has a NUL (and PostgreSQL refuses one in text).
        (true, Some(id)) if id.contains('\0') => {
            return Err(ApiError::invalid(
                "employer_id",
                "unknown_employer",
                "no employer with this id",
            ));
        }
        (true, Some(id)) => match app.store.get_employer(id).await {
            Err(StoreError::NotFound) => {
                return Err(ApiError::invalid(
                    "employer_id",
                    "unknown_employer",
                    "no employer with this id",
                ));
            }
            other => drop(other?),
        },
        (false, None) => {}
    }
    match (role.needs_region(), region_code) {
        (true, None) => {
            return Err(ApiError::invalid(
                "region_code",
                "required",
                "officers work within a region",
            ));
        }
        (false, Some(_)) => {
            return Err(ApiError::invalid(
                "region_code",
                "not_allowed_for_role",
                "only officers have a region",
            ));
        }
        _ => {}
    }
    Ok(())
}

/// `POST /api/v1/users` (admin)
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let body: NewUser = body.parse()?;
    Ok(add(&app, &caller, key.as_deref(), body).await?.1)
}

/// Create an account (admin). Shared by the API and the admin page.
pub async fn add(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    body: NewUser,
) -> Result<(User, Reply), ApiError> {
    caller.require(&[Role::Admin])?;
    let user = build_user(app, &body).await?;
    let hash = password::hash(body.password).await?;
    let reply = reply(StatusCode::CREATED, &user)?;
    let details = json!({ "username": user.username, "role": user.role.as_str() });
    let write = audit(
        caller,
        key,
        "user.created",
        ("user", &user.id),
        details,
        &reply,
    );
    app.store.insert_user(&user, &hash, write).await?;
    Ok((user, reply))
}

/// `GET /api/v1/users/me`
pub async fn me(caller: Caller) -> Result<Reply, ApiError> {
    reply(StatusCode::OK, &caller.user)
}
