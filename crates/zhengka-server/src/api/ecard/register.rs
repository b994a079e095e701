//! `POST /api/v1/ecard/registrations` and `POST /api/v1/ecard/password-resets`
//! (public): the real-name step. Name + permit number, SSN or Notice QR are
//! checked against the permit record; every refusal is the same answer, takes
//! the same work (the password is hashed first, whatever follows), and is
//! audited; refusals are limited per permit number and per client address.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::ecard::{Refused, Registration, RegistrationPurpose, may_register};
use zhengka_domain::ids::PassportName;
use zhengka_domain::permits::permit::{Permit, PermitNumber};
use zhengka_domain::social_security::Ssn;
use zhengka_store::{Audit, StoreError, Write};

use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::{password, rate_limit, token};
use crate::credentials::permit_number_of_notice;
use crate::http::client::ClientAddress;
use crate::http::{ApiError, JsonBody, invalid_at};

/// 5 refusals per permit number or client address in 15 minutes (ECARD.md).
pub const REFUSALS: rate_limit::Limit = rate_limit::Limit {
    max: 5,
    window_secs: 15 * 60,
};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    pub name: String,
    #[serde(default)]
    pub permit_number: Option<String>,
    #[serde(default)]
    pub ssn: Option<String>,
    #[serde(default)]
    pub notice_qr: Option<String>,
    pub password: String,
    #[serde(default)]
    pub lang: Option<String>,
}

/// Which identifier the person gave, checked for form only (a well-formed
/// number says nothing about whether it exists).
enum Identifier {
    PermitNumber(PermitNumber),
    Ssn(Ssn),
    NoticeQr(String),
}

impl Identifier {
    fn kind(&self) -> &'static str {
        match self {
            Self::PermitNumber(_) => "permit_number",
            Self::Ssn(_) => "ssn",
            Self::NoticeQr(_) => "notice_qr",
        }
    }
}

#[derive(Serialize)]
struct Started<'a> {
    registration_id: &'a str,
    status: &'a str,
    expires_at: String,
}

/// The one answer to every refusal.
pub fn refused() -> ApiError {
    ApiError::Invalid {
        code: "registration_refused".into(),
        message: "these details do not open an e-card; check them against your Work Permit Notice"
            .into(),
        field: None,
    }
}

pub async fn register(
    State(app): State<AppState>,
    client: ClientAddress,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let req: NewRegistration = body.parse()?;
    let r = start(&app, &client, req, RegistrationPurpose::Register).await?;
    answer(&r)
}

pub async fn reset(
    State(app): State<AppState>,
    client: ClientAddress,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let req: NewRegistration = body.parse()?;
    let r = start(&app, &client, req, RegistrationPurpose::ResetPassword).await?;
    answer(&r)
}

fn answer(r: &Registration) -> Result<Reply, ApiError> {
    reply(
        StatusCode::CREATED,
        &Started {
            registration_id: &r.id,
            status: r.status.as_str(),
            expires_at: r
                .expires_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
    )
}

fn identifier(req: &NewRegistration) -> Result<Identifier, ApiError> {
    let given = [&req.permit_number, &req.ssn, &req.notice_qr]
        .iter()
        .filter(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .count();
    if given != 1 {
        return Err(ApiError::invalid(
            "permit_number",
            "one_identifier_required",
            "give exactly one of permit_number, ssn or notice_qr",
        ));
    }
    if let Some(n) = req
        .permit_number
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        return PermitNumber::parse(n)
            .map(Identifier::PermitNumber)
            .map_err(|e| invalid_at("permit_number", e));
    }
    if let Some(s) = req.ssn.as_deref().filter(|s| !s.trim().is_empty()) {
        return Ssn::parse(s)
            .map(Identifier::Ssn)
            .map_err(|e| invalid_at("ssn", e));
    }
    let qr = req.notice_qr.clone().unwrap_or_default();
    if qr.len() > 8192 {
        return Err(ApiError::invalid(
            "notice_qr",
            "too_long",
            "a QR payload is at most 8192 characters",
        ));
    }
    Ok(Identifier::NoticeQr(qr.trim().to_owned()))
}

fn language(lang: Option<&str>) -> Result<String, ApiError> {
    match lang.unwrap_or("zh") {
        l @ ("zh" | "en") => Ok(l.to_owned()),
        _ => Err(ApiError::invalid(
            "lang",
            "unknown_language",
            "lang is zh or en",
        )),
    }
}

/// The key refusals for one person are counted under: the permit number once
/// known, else a hash of what was typed (never the typed value itself).
pub fn person_key(number: Option<&PermitNumber>, typed: &str) -> String {
    match number {
        Some(n) => format!("ecard:permit:{}", token::hash(n.as_str())),
        None => format!("ecard:typed:{}", token::hash(typed)),
    }
}

fn source_key(client: &ClientAddress) -> String {
    format!("ecard:source:{}", token::hash(&client.0))
}

/// The real-name step; shared by the API and the registration page.
pub async fn start(
    app: &AppState,
    client: &ClientAddress,
    req: NewRegistration,
    purpose: RegistrationPurpose,
) -> Result<Registration, ApiError> {
    let name = PassportName::parse(&req.name).map_err(|e| invalid_at("name", e))?;
    let id = identifier(&req)?;
    password::check_strength(&req.password).map_err(|e| invalid_at("password", e))?;
    let lang = language(req.lang.as_deref())?;
    let now = Utc::now();
    let store = app.store.as_ref();
    rate_limit::attempt(store, &source_key(client), REFUSALS, now).await?;
    // The costly part first, for every outcome alike.
    let password_hash = password::hash(req.password).await?;
    let number = permit_number_of(app, &id).await?;
    let person = person_key(number.as_ref(), &typed(&id));
    rate_limit::attempt(store, &person, REFUSALS, now).await?;
    let outcome = match &number {
        Some(n) => check(app, n, &name, purpose).await?,
        None => Err("unknown_identifier"),
    };
    match (outcome, number) {
        (Ok(permit), Some(n)) => {
            let mut r = Registration::new(
                uuid::Uuid::new_v4().to_string(),
                n,
                purpose,
                password_hash,
                now,
            );
            r.lang = lang;
            app.store
                .insert_registration(&r, started_write(&r, &id, &permit))
                .await?;
            rate_limit::succeeded(store, &person).await?;
            rate_limit::succeeded(store, &source_key(client)).await?;
            Ok(r)
        }
        (Err(reason), number) => {
            app.store
                .record_event(refused_write(purpose, &id, number.as_ref(), reason))
                .await?;
            Err(refused())
        }
        (Ok(_), None) => unreachable!("a permit was found without a number"),
    }
}

fn typed(id: &Identifier) -> String {
    match id {
        Identifier::PermitNumber(n) => n.as_str().to_owned(),
        Identifier::Ssn(s) => s.expose().to_owned(),
        Identifier::NoticeQr(q) => q.clone(),
    }
}

/// The permit number the identifier leads to, if any. A Notice QR counts only
/// once it verifies.
async fn permit_number_of(
    app: &AppState,
    id: &Identifier,
) -> Result<Option<PermitNumber>, ApiError> {
    match id {
        Identifier::PermitNumber(n) => Ok(Some(n.clone())),
        Identifier::Ssn(ssn) => match app.store.account_by_ssn(ssn).await {
            Ok(a) => Ok(Some(a.permit_number)),
            Err(StoreError::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        },
        Identifier::NoticeQr(qr) => {
            match permit_number_of_notice(&app.credentials, app.store.as_ref(), qr, "notice_qr")
                .await
            {
                Ok(n) => Ok(Some(n)),
                Err(ApiError::Invalid { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        }
    }
}

/// The real-name check, and whether the purpose fits the person's account:
/// a registration needs none open, a reset needs one. The reason stays in
/// the audit trail; the caller learns only "refused".
async fn check(
    app: &AppState,
    n: &PermitNumber,
    name: &PassportName,
    purpose: RegistrationPurpose,
) -> Result<Result<Permit, &'static str>, ApiError> {
    let permit = match app.store.get_permit(n).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Ok(Err("unknown_permit")),
        Err(e) => return Err(e.into()),
    };
    if may_register(&permit, name) == Err(Refused) {
        return Ok(Err("name_or_status"));
    }
    let open = match app.store.holder_for_permit(n).await {
        Ok(_) => true,
        Err(StoreError::NotFound) => false,
        Err(e) => return Err(e.into()),
    };
    Ok(match (purpose, open) {
        (RegistrationPurpose::Register, true) => Err("already_registered"),
        (RegistrationPurpose::ResetPassword, false) => Err("no_account"),
        _ => Ok(permit),
    })
}

fn started_write(r: &Registration, id: &Identifier, permit: &Permit) -> Write {
    Write::new(Audit {
        at: r.created_at,
        actor: "public".into(),
        action: match r.purpose {
            RegistrationPurpose::Register => "ecard.registration_started",
            RegistrationPurpose::ResetPassword => "ecard.password_reset_started",
        },
        entity_type: "permit",
        entity_id: permit.permit_number.as_str().to_owned(),
        details: json!({ "registration_id": r.id, "identifier": id.kind() }),
    })
}

fn refused_write(
    purpose: RegistrationPurpose,
    id: &Identifier,
    number: Option<&PermitNumber>,
    reason: &str,
) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: "public".into(),
        action: "ecard.registration_refused",
        entity_type: "permit",
        // An unknown number may be anything typed (even a passport number):
        // nothing of it is kept.
        entity_id: number.map_or_else(|| "unknown".to_owned(), |n| n.as_str().to_owned()),
        details: json!({ "purpose": purpose.as_str(), "identifier": id.kind(), "reason": reason }),
    })
}
