//! `POST /api/v1/permits`: an officer records a permit issued before the
//! integration (a physical permit), so its holder can extend, change or renew it
//! onto the electronic card.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::legacy::{LegacyPermit, register};
use zhengka_store::StoreError;

use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::credentials::{drawing_again, new_status_index};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::PermitOfficer])?;
    let input: LegacyPermit = body.parse()?;
    let key = key.as_deref();
    drawing_again(|| create_once(&app, &caller, key, input.clone())).await
}

async fn create_once(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    input: LegacyPermit,
) -> Result<Reply, ApiError> {
    let employer = match app.store.get_employer(&input.employer_id).await {
        Ok(e) => e,
        Err(StoreError::NotFound) => {
            return Err(ApiError::invalid(
                "employer_id",
                "unknown_employer",
                "no employer with this id",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if !caller.covers(&employer.region_code) {
        return Err(ApiError::invalid(
            "employer_id",
            "outside_your_region",
            "the employer is outside your region",
        ));
    }
    let earlier = app
        .store
        .permits_of_passport(input.foreigner.passport_number.expose())
        .await?;
    if earlier
        .iter()
        .any(|p| p.permit_number == input.permit_number)
    {
        return Err(ApiError::Conflict {
            code: "permit_number_taken",
            message: "this permit is already recorded".into(),
            field: Some("permit_number"),
        });
    }
    // Early answers only: the primary key and the unique index on active
    // permits refuse a recording that races another write for this holder.
    if earlier.iter().any(|p| !p.status.is_terminal()) {
        return Err(ApiError::holder_has_active_permit());
    }
    let mut permit = register(input, employer.region_code.clone(), Utc::now())?;
    permit.status_index = Some(new_status_index(app.store.as_ref()).await?);
    let mut shown = permit.clone();
    shown.version = 1;
    let reply = reply(StatusCode::CREATED, &shown)?;
    let mut write = audit(
        caller,
        key,
        "permit.legacy_recorded",
        ("permit", permit.permit_number.as_str()),
        json!({ "medium": "physical" }),
        &reply,
    );
    write.events = crate::events::permit_events(None, &permit, None, Utc::now());
    app.store.update_permit(&permit, write).await?;
    Ok(reply)
}
