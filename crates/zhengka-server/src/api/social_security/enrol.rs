//! `POST /api/v1/social-security/enrolments`: check the permit through the
//! system and open the holder's account with an SSN and the five insurances.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::events::{DomainEvent, EventData};
use zhengka_domain::ids::PassportName;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_domain::social_security::{
    Account, EnrolmentRequest, InsuranceKind, Ssn, open_account,
};
use zhengka_store::StoreError;

use super::{AccountView, visible_permit};
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::{Caller, token};
use crate::credentials::permit_number_of_notice;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    #[serde(default)]
    pub permit_number: Option<PermitNumber>,
    #[serde(default)]
    pub notice_qr: Option<String>,
    pub name: PassportName,
    #[serde(default)]
    pub insurances: Vec<InsuranceKind>,
    pub start_date: NaiveDate,
}

pub const ENROLLERS: &[Role] = &[Role::SocialSecurityOfficer, Role::EmployerAgent];

pub async fn enrol(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(ENROLLERS)?;
    let req: Enrolment = body.parse()?;
    Ok(record(&app, &caller, key.as_deref(), req).await?.1)
}

/// Enrol a permit holder; shared by the API and the pages.
pub async fn record(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    req: Enrolment,
) -> Result<(Account, Reply), ApiError> {
    caller.require(ENROLLERS)?;
    let number = permit_number_of(app, &req).await?;
    let permit = visible_permit(app, caller, &number).await?;
    let request = EnrolmentRequest {
        name: req.name,
        insurances: req.insurances,
        start_date: req.start_date,
    };
    let now = Utc::now();
    // A clash of random SSNs is astronomically rare; the unique key catches
    // it and a fresh number is tried.
    for _ in 0..3 {
        let ssn = Ssn::assign(&permit.region_code, token::random_u64());
        let id = uuid::Uuid::new_v4().to_string();
        let opened = (id, now, ssn, caller.user.id.clone());
        let account = open_account(
            &permit,
            &request,
            &app.config.policy.social_security,
            opened,
        )?;
        let view = AccountView::of(&account, caller.user.role);
        let reply = reply(StatusCode::CREATED, &view)?;
        let details = json!({
            "permit_number": account.permit_number.as_str(),
            "over_age": account.over_age,
            "insurances": account.insurances.iter().map(|i| i.kind).collect::<Vec<_>>(),
            "excluded": account.excluded.iter().map(|e| e.kind).collect::<Vec<_>>(),
        });
        let write = audit(
            caller,
            key,
            "ss_account.opened",
            ("ss_account", &account.id),
            details,
            &reply,
        )
        .with_event(event(
            &account,
            EventData::SsnIssued {
                account_id: account.id.clone(),
                permit_number: account.permit_number.to_string(),
            },
        ))
        .with_event(event(
            &account,
            EventData::InsuranceStarted {
                account_id: account.id.clone(),
                start_date: request.start_date,
            },
        ));
        match app.store.insert_account(&account, write).await {
            Ok(()) => return Ok((account, reply)),
            Err(StoreError::Conflict { what }) if what == "ssn" => continue,
            Err(StoreError::Conflict { what }) if what == "already_enrolled" => {
                return Err(ApiError::conflict(
                    "already_enrolled",
                    "this permit holder already has a social security account",
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(
        "no free social security number after 3 tries".into(),
    ))
}

pub(crate) fn event(account: &Account, data: EventData) -> DomainEvent {
    DomainEvent::new(
        uuid::Uuid::new_v4().to_string(),
        Utc::now(),
        account.region_code.clone(),
        data,
    )
}

/// Exactly one of `permit_number` and `notice_qr`.
async fn permit_number_of(app: &AppState, req: &Enrolment) -> Result<PermitNumber, ApiError> {
    match (&req.permit_number, &req.notice_qr) {
        (Some(n), None) => Ok(n.clone()),
        (None, Some(qr)) => {
            permit_number_of_notice(&app.credentials, app.store.as_ref(), qr, "notice_qr").await
        }
        (None, None) => Err(ApiError::invalid(
            "permit_number",
            "required",
            "give the permit number or the Notice QR",
        )),
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "notice_qr",
            "one_of",
            "give the permit number or the Notice QR, not both",
        )),
    }
}
