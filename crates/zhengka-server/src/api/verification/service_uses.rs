//! Service uses: after a valid check, the relying party records what it did
//! for the holder (`POST /api/v1/service-uses {verification_id, service_code,
//! note?}`: a loan, a registration, a ride, an entry), once per check and
//! service, within 15 minutes of the check, for a service of the check's
//! purpose. The holder reads them beside the checks.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::BoundedText;
use zhengka_store::{ONE_USE_PER_SERVICE, ServiceUse, StoreError};

use super::verify::checker;
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::http::{ApiError, JsonBody};

/// How long after a check its service may be recorded.
fn window() -> Duration {
    Duration::minutes(15)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewServiceUse {
    pub verification_id: String,
    pub service_code: String,
    #[serde(default)]
    pub note: Option<BoundedText<1, 200>>,
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::RelyingParty])?;
    let req: NewServiceUse = body.parse()?;
    record(&app, &caller, req).await.map(|(_, r)| r)
}

/// Record a use; shared by the API and the verifier page.
pub async fn record(
    app: &AppState,
    caller: &Caller,
    req: NewServiceUse,
) -> Result<(ServiceUse, Reply), ApiError> {
    caller.require(&[Role::RelyingParty])?;
    let who = checker(app, caller).await?;
    let org = who.organisation.ok_or(ApiError::Forbidden)?;
    // Another organisation's check does not exist for this one.
    let check = match app.store.get_verification(&req.verification_id).await {
        Ok(c) if c.organisation_id.as_deref() == Some(org.id.as_str()) => c,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(ApiError::invalid(
                "verification_id",
                "unknown_verification",
                "no check of your organisation has this id",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let now = Utc::now();
    let permit_number = match (&check.permit_number, check.result.as_str()) {
        (Some(n), "valid") => n.clone(),
        _ => {
            return Err(ApiError::conflict_at(
                "verification_not_valid",
                "a service is recorded only against a valid check",
                "verification_id",
            ));
        }
    };
    if now - check.at > window() {
        return Err(ApiError::conflict_at(
            "verification_too_old",
            "record the service within 15 minutes of the check",
            "verification_id",
        ));
    }
    let service = match app.store.get_service(&req.service_code).await {
        Ok(s) if s.active => s,
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(ApiError::invalid(
                "service_code",
                "unknown_service",
                "no active service in the catalogue has this code",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if service.purpose != check.purpose {
        return Err(ApiError::invalid(
            "service_code",
            "service_other_purpose",
            "this service is not of the check's purpose",
        ));
    }
    let used = ServiceUse {
        id: uuid::Uuid::new_v4().to_string(),
        at: now,
        verification_id: check.id.clone(),
        service_code: service.code.clone(),
        organisation_id: org.id.clone(),
        permit_number: permit_number.clone(),
        note: req.note.map(|n| n.as_str().to_owned()),
    };
    let r = reply(StatusCode::CREATED, &used)?;
    let write = audit(
        caller,
        None,
        "service.used",
        ("permit", &permit_number),
        json!({ "service_use_id": used.id, "verification_id": check.id, "service_code": service.code }),
        &r,
    );
    match app.store.insert_service_use(&used, write).await {
        Ok(()) => Ok((used, r)),
        Err(StoreError::Conflict { what }) if what == ONE_USE_PER_SERVICE => {
            Err(ApiError::conflict_at(
                "service_use_recorded",
                "this check already has a use of this service",
                "service_code",
            ))
        }
        Err(e) => Err(e.into()),
    }
}
