//! `POST /api/v1/cards`: the one online application for the physical card,
//! with delivery to an address or pickup at the service hall.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::cards::{
    BankCode, CardApplication, CardNumber, DeliveryAddress, Handover, NewCard, apply as apply_rule,
};
use zhengka_domain::employer::Role;
use zhengka_domain::events::EventData;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_domain::social_security::{Account, Ssn};
use zhengka_domain::time::WorkingCalendar;
use zhengka_store::StoreError;

use super::CardView;
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::{Caller, token};
use crate::credentials::{drawing_again, new_card_status_index};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Application {
    #[serde(default)]
    pub ssn: Option<Ssn>,
    #[serde(default)]
    pub permit_number: Option<PermitNumber>,
    #[serde(default)]
    pub delivery: Option<DeliveryAddress>,
    #[serde(default)]
    pub pickup: Option<Pickup>,
    pub bank_code: BankCode,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum Pickup {
    ServiceHall,
}

pub const APPLICANTS: &[Role] = &[
    Role::SocialSecurityOfficer,
    Role::CardOfficer,
    Role::EmployerAgent,
];

pub async fn apply(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(APPLICANTS)?;
    let req: Application = body.parse()?;
    Ok(record(&app, &caller, key.as_deref(), req).await?.1)
}

/// Apply for a card; shared by the API and the pages.
pub async fn record(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    req: Application,
) -> Result<(zhengka_domain::cards::Card, Reply), ApiError> {
    caller.require(APPLICANTS)?;
    drawing_again(|| record_once(app, caller, key, req.clone())).await
}

async fn record_once(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    req: Application,
) -> Result<(zhengka_domain::cards::Card, Reply), ApiError> {
    let account = account_of(app, caller, &req).await?;
    let permit = app.store.get_permit(&account.permit_number).await?;
    let handover = match (req.pickup, &req.delivery) {
        (Some(Pickup::ServiceHall), _) => Handover::ServiceHall,
        (None, _) => Handover::Delivery,
    };
    let application = CardApplication {
        handover,
        delivery: req.delivery,
        bank_code: req.bank_code,
    };
    let new = NewCard {
        id: uuid::Uuid::new_v4().to_string(),
        card_number: CardNumber::assign(token::random_u64()),
        status_index: new_card_status_index(app.store.as_ref()).await?,
        actor: caller.user.id.clone(),
        now: Utc::now(),
    };
    let mut card = apply_rule(
        &permit,
        &account,
        application,
        new,
        &WorkingCalendar::default(),
    )?;
    card.elements.photo_ref = photo_of(app, &permit.application_id).await?;
    card.elements.chinese_name = chinese_name_of(app, &permit.application_id).await?;
    let view = CardView::of(&card, caller.user.role, Utc::now().date_naive());
    let body = json!({ "card_number": card.card_number, "status": "applied", "promised_by": card.promised_by, "card": view });
    let reply = reply(StatusCode::CREATED, &body)?;
    let details = json!({ "account": account.id, "handover": card.handover });
    let write = audit(
        caller,
        key,
        "card.applied",
        ("card", card.card_number.as_str()),
        details,
        &reply,
    )
    .with_event(crate::events::event(
        &card.elements.issuing_region,
        EventData::CardApplied {
            card_number: card.card_number.to_string(),
        },
        card.applied_at,
    ));
    match app.store.insert_card(&card, write).await {
        Ok(()) => Ok((card, reply)),
        Err(StoreError::Conflict { what }) if what == "card_exists" => Err(ApiError::conflict(
            "card_exists",
            "this holder already has a card; report it lost or replace it instead",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The holder's photo: the latest photo uploaded with the permit's
/// application (the permits context's published materials query).
async fn photo_of(app: &AppState, application_id: &str) -> Result<Option<String>, ApiError> {
    let materials = app.store.list_materials(application_id).await?;
    Ok(materials
        .into_iter()
        .rev()
        .find(|m| m.kind == "photo")
        .map(|m| m.id))
}

/// The holder's Chinese name, if the permit's application gave one (a permit
/// recorded from an old physical one has no application).
async fn chinese_name_of(app: &AppState, application_id: &str) -> Result<Option<String>, ApiError> {
    match app.store.get_application(application_id).await {
        Ok(a) => Ok(a
            .form
            .foreigner
            .and_then(|f| f.chinese_name)
            .map(|n| n.as_str().to_owned())),
        Err(zhengka_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The account by SSN or permit number (exactly one), if the caller may see it.
async fn account_of(
    app: &AppState,
    caller: &Caller,
    req: &Application,
) -> Result<Account, ApiError> {
    let missing = ApiError::Missing {
        code: "account_not_found",
        message: "no social security account for this holder",
    };
    let found = match (&req.ssn, &req.permit_number) {
        (Some(ssn), None) => app.store.account_by_ssn(ssn).await,
        (None, Some(n)) => app.store.account_for_permit(n).await,
        (None, None) => {
            return Err(ApiError::invalid(
                "ssn",
                "required",
                "give the SSN or the permit number",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "permit_number",
                "one_of",
                "give the SSN or the permit number, not both",
            ));
        }
    };
    let account = match found {
        Err(StoreError::NotFound) => return Err(missing),
        other => other?,
    };
    caller
        .may_see(&account.employer_id, &account.region_code)
        .map_err(|_| missing)?;
    Ok(account)
}
