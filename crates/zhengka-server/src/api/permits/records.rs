//! Permit records: read them, record entry, record the on-site check.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::onsite::{self, OnsiteCheckInput};
use zhengka_domain::permits::permit::{Permit, PermitNumber};

use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::{Caller, token};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;

async fn load(app: &AppState, caller: &Caller, raw: &str) -> Result<Permit, ApiError> {
    let number = PermitNumber::parse(raw).map_err(|_| ApiError::NotFound)?;
    let permit = app.store.get_permit(&number).await?;
    if caller.user.role != Role::PoliceOfficer {
        caller.may_see(&permit.employer_id, &permit.region_code)?;
    }
    Ok(permit)
}

/// `GET /api/v1/permits/{permit_number}`: the permit record.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(number): Path<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[
        Role::EmployerAgent,
        Role::PermitOfficer,
        Role::SocialSecurityOfficer,
        Role::PoliceOfficer,
        Role::Admin,
    ])?;
    let permit = load(&app, &caller, &number).await?;
    reply(StatusCode::OK, &permit)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    entry_date: NaiveDate,
}

/// `POST /api/v1/permits/{permit_number}/entry`: the holder entered China; the
/// 30 days for the on-site check start.
pub async fn record_entry(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(number): Path<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let body: Entry = body.parse()?;
    Ok(enter(&app, &caller, key.as_deref(), &number, body).await?.1)
}

/// Record the holder's entry (the employer's agent or an officer). Shared by
/// the API and the pages.
pub async fn enter(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    number: &str,
    body: Entry,
) -> Result<(Permit, Reply), ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let mut permit = load(app, caller, number).await?;
    let today = Utc::now().date_naive();
    // Dates are UTC days throughout the server, the approval's too.
    let approved_on = permit.issued_at.date_naive();
    permit.onsite = onsite::record_entry(&permit.onsite, body.entry_date, approved_on, today)?;
    save(
        app,
        caller,
        key,
        permit,
        "permit.entry_recorded",
        json!({ "entry_date": body.entry_date }),
        vec![],
    )
    .await
}

/// `POST /api/v1/permits/{permit_number}/onsite-verifications`: the officer
/// records the check of original materials; the decision is issued.
pub async fn onsite_verification(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(number): Path<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::PermitOfficer])?;
    let input: OnsiteCheckInput = body.parse()?;
    Ok(check_onsite(&app, &caller, key.as_deref(), &number, input)
        .await?
        .1)
}

/// Record the on-site check of originals (a permit officer). Shared by the
/// API and the pages.
pub async fn check_onsite(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    number: &str,
    input: OnsiteCheckInput,
) -> Result<(Permit, Reply), ApiError> {
    caller.require(&[Role::PermitOfficer])?;
    let mut permit = load(app, caller, number).await?;
    let today = Utc::now().date_naive();
    let decision_number = format!(
        "D{}{:010}",
        today.format("%Y%m%d"),
        token::random_u64() % 10_000_000_000
    );
    let (check, status) = onsite::record_check(
        &permit.onsite,
        permit.status,
        &input,
        permit.issued_at.date_naive(),
        today,
        decision_number,
    )?;
    let before = permit.status;
    permit.onsite = check;
    permit.status = status;
    let events = crate::events::permit_events(Some(before), &permit, None, Utc::now());
    save(
        app,
        caller,
        key,
        permit,
        "permit.onsite_verified",
        json!({ "materials": input.materials_checked }),
        events,
    )
    .await
}

async fn save(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    permit: Permit,
    action: &'static str,
    details: serde_json::Value,
    events: Vec<zhengka_domain::events::DomainEvent>,
) -> Result<(Permit, Reply), ApiError> {
    let mut shown = permit.clone();
    shown.version += 1;
    let reply = reply(StatusCode::OK, &shown)?;
    let mut write = audit(
        caller,
        key,
        action,
        ("permit", permit.permit_number.as_str()),
        details,
        &reply,
    );
    write.events = events;
    app.store.update_permit(&permit, write).await?;
    // A status change (a suspension lifted) shows in the next status list at once.
    app.credentials.invalidate_status_list();
    Ok((shown, reply))
}
