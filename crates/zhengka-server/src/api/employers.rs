//! Employers: registered by the platform admin.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::{Address, Employer, EmployerName, Role};
use zhengka_domain::ids::{RegionCode, Uscc};

use super::{Reply, audit, reply};
use crate::AppState;
use crate::auth::Caller;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEmployer {
    uscc: Uscc,
    name: EmployerName,
    region_code: RegionCode,
    address: Address,
}

/// `POST /api/v1/employers` (admin)
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let body: NewEmployer = body.parse()?;
    Ok(register(&app, &caller, key.as_deref(), body).await?.1)
}

/// Register an employer (admin). Shared by the API and the admin page.
pub async fn register(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    body: NewEmployer,
) -> Result<(Employer, Reply), ApiError> {
    caller.require(&[Role::Admin])?;
    let employer = Employer {
        id: uuid::Uuid::new_v4().to_string(),
        uscc: body.uscc,
        name: body.name,
        region_code: body.region_code,
        address: body.address,
        created_at: Utc::now(),
    };
    let reply = reply(StatusCode::CREATED, &employer)?;
    let details =
        json!({ "uscc": employer.uscc.as_str(), "region_code": employer.region_code.as_str() });
    let write = audit(
        caller,
        key,
        "employer.created",
        ("employer", &employer.id),
        details,
        &reply,
    );
    app.store.insert_employer(&employer, write).await?;
    Ok((employer, reply))
}

/// `GET /api/v1/employers/{id}` (admin, or an agent of that employer)
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin, Role::EmployerAgent])?;
    if caller.user.role == Role::EmployerAgent
        && caller.user.employer_id.as_deref() != Some(id.as_str())
    {
        return Err(ApiError::NotFound);
    }
    let employer = app.store.get_employer(&id).await?;
    reply(StatusCode::OK, &employer)
}
