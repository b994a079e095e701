//! The purpose-bound side of `/web/verify`: a police officer states
//! residence_permit or inspection, an organisation's person one of its
//! registered purposes; the form offers the ways the purpose takes (the QR by
//! camera, paste or image; the permit number and name for the police; the
//! share code for a right-to-work check) and the answer shows the purpose's
//! fields only. After a valid check for a service purpose, a service use is
//! recorded against it. The check is the API's own (`verify::check`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde_json::json;
use zhengka_domain::verification::{Presented, Sector, VerificationPurpose, accepted};
use zhengka_store::ServiceFilter;

use super::form::Problems;
use super::i18n::Lang;
use super::render::PageError;
use super::verdict::{purpose_in, shown};
use super::verify::{REASONS, reason_of};
use super::visitor::{Posted, Visitor};
use crate::AppState;
use crate::api::credentials::VERIFIERS;
use crate::api::verification::service_uses::{NewServiceUse, record};
use crate::api::verification::verify::{CheckRequest, check, checker};
use crate::auth::Caller;
use crate::http::{ApiError, parse_json};

/// What a caller may state: `None` for staff who check as before
/// (`notice` / `presentation`).
pub async fn purposes_of(
    app: &AppState,
    caller: &Caller,
) -> Result<Option<Vec<VerificationPurpose>>, ApiError> {
    let who = checker(app, caller).await?;
    if who.police {
        let police = VerificationPurpose::ALL
            .into_iter()
            .filter(|p| p.police_only());
        return Ok(Some(police.collect()));
    }
    Ok(who.organisation.map(|o| {
        let own = o.purposes.into_iter().filter(|p| !p.police_only());
        own.collect()
    }))
}

/// The purpose asked for if the caller may state it, else their first.
fn chosen(purposes: &[VerificationPurpose], asked: &str) -> Option<VerificationPurpose> {
    purposes
        .iter()
        .copied()
        .find(|p| p.as_str() == asked)
        .or_else(|| purposes.first().copied())
}

/// The bound page, before or after a check.
pub struct Bound<'a> {
    pub purposes: &'a [VerificationPurpose],
    pub purpose: Option<VerificationPurpose>,
    pub values: Value,
    pub verdict: Option<Value>,
    pub service: Option<Value>,
    pub recorded: Option<String>,
}

pub fn page(
    v: &Visitor,
    b: Bound<'_>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let police = v
        .caller
        .as_ref()
        .is_some_and(|c| c.user.role == zhengka_domain::employer::Role::PoliceOfficer);
    let options: Vec<Value> = b
        .purposes
        .iter()
        .map(|p| context! { code => p.as_str(), text => purpose_in(v.lang, p.as_str()) })
        .collect();
    let ways = b.purpose.map(|p| {
        let takes = |w: Presented| accepted(p).contains(&w);
        context! {
            qr => takes(Presented::Presentation) || takes(Presented::Notice),
            lookup => takes(Presented::Lookup),
            share => takes(Presented::ShareCode),
        }
    });
    let reasons: Vec<Value> = REASONS
        .iter()
        .map(|r| context! { code => r, text => v.text(&format!("reason.{r}")) })
        .collect();
    let ctx = context! {
        section => "verify",
        bound => true,
        purposes => options,
        purpose => b.purpose.map(VerificationPurpose::as_str),
        purpose_text => b.purpose.map(|p| purpose_in(v.lang, p.as_str())),
        ways => ways,
        verdict => b.verdict,
        service => b.service,
        recorded => b.recorded,
        reasons => reasons,
        reason_required => police,
        f => context! { values => b.values, ..problems.shown() },
        ..problems.shown()
    };
    Ok((status, v.page("verify.html", ctx)?).into_response())
}

/// `GET /web/verify?purpose=` for a caller who states purposes.
pub fn form(
    v: &Visitor,
    purposes: &[VerificationPurpose],
    asked: &str,
) -> Result<Response, PageError> {
    let b = Bound {
        purposes,
        purpose: chosen(purposes, asked),
        values: context! {},
        verdict: None,
        service: None,
        recorded: None,
    };
    page(v, b, &Problems::default(), StatusCode::OK)
}

/// `POST /web/verify` for a caller who states purposes.
pub async fn verify(
    app: &AppState,
    p: &Posted,
    purposes: &[VerificationPurpose],
) -> Result<Response, PageError> {
    let caller = p.visitor.require(VERIFIERS)?;
    let f = &p.fields;
    let police = caller.user.role == zhengka_domain::employer::Role::PoliceOfficer;
    let purpose = chosen(purposes, f.get("purpose"));
    let result = match reason_of(f, police) {
        Err(e) => Err(e),
        Ok(reason) => {
            let text = |k: &str| Some(f.get(k).trim()).filter(|s| !s.is_empty());
            let body = json!({
                "purpose": f.get("purpose"),
                "qr": text("qr"),
                "permit_number": text("permit_number"),
                "name": text("name"),
                "share_code": text("share_code"),
                "reason": reason,
            });
            match parse_json::<CheckRequest>(body.to_string().as_bytes()) {
                Ok(req) => check(app, caller, req).await.map(|(a, _)| a),
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(answer) => {
            let service = if answer.valid {
                service_form(app, p.visitor.lang, answer.purpose, &answer.verification_id).await?
            } else {
                None
            };
            // Ready for the next holder: only purpose and reason stay.
            let kept = context! { reason => f.get("reason"), note => f.get("note") };
            let b = Bound {
                purposes,
                purpose: Some(answer.purpose),
                values: kept,
                verdict: Some(shown(p.visitor.lang, &answer)),
                service,
                recorded: None,
            };
            page(&p.visitor, b, &Problems::default(), StatusCode::OK)
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let b = Bound {
                purposes,
                purpose,
                values: f.shown(),
                verdict: None,
                service: None,
                recorded: None,
            };
            page(&p.visitor, b, &problems, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// The active catalogue services of `purpose`, by name in `lang`.
async fn services_of(
    app: &AppState,
    lang: Lang,
    purpose: VerificationPurpose,
) -> Result<Vec<Value>, ApiError> {
    let code = purpose.as_str();
    let Some(sector) = Sector::ALL
        .into_iter()
        .find(|s| s.purposes().contains(&code))
    else {
        return Ok(vec![]);
    };
    let filter = ServiceFilter {
        sector: Some(sector),
        limit: 500,
        ..ServiceFilter::default()
    };
    let (all, _) = app.store.list_services(&filter).await?;
    Ok(all
        .into_iter()
        .filter(|s| s.purpose == code && s.active)
        .map(|s| {
            let name = if lang == Lang::ZhCn {
                s.name_zh
            } else {
                s.name_en
            };
            context! { code => s.code, name => name, provider => s.provider }
        })
        .collect())
}

/// The service-use form after a valid check, if the purpose has services.
async fn service_form(
    app: &AppState,
    lang: Lang,
    purpose: VerificationPurpose,
    verification_id: &str,
) -> Result<Option<Value>, ApiError> {
    if purpose.police_only() {
        return Ok(None);
    }
    let services = services_of(app, lang, purpose).await?;
    Ok((!services.is_empty()).then(|| {
        context! { verification_id => verification_id, services => services }
    }))
}

/// `POST /web/verify/service-use`: verification_id, service_code, note.
pub async fn service_use(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(VERIFIERS)?;
    let purposes = purposes_of(&app, caller).await?.unwrap_or_default();
    let f = &p.fields;
    let purpose = chosen(&purposes, f.get("purpose"));
    let note = Some(f.get("note").trim()).filter(|s| !s.is_empty());
    let body = json!({
        "verification_id": f.get("verification_id"),
        "service_code": f.get("service_code"),
        "note": note,
    });
    let result = match parse_json::<NewServiceUse>(body.to_string().as_bytes()) {
        Ok(req) => record(&app, caller, req).await.map(|(u, _)| u),
        Err(e) => Err(e),
    };
    let lang = p.visitor.lang;
    match result {
        Ok(used) => {
            let name = match app.store.get_service(&used.service_code).await {
                Ok(s) if lang == Lang::ZhCn => s.name_zh,
                Ok(s) => s.name_en,
                Err(_) => used.service_code.clone(),
            };
            let b = Bound {
                purposes: &purposes,
                purpose,
                values: context! {},
                verdict: None,
                service: None,
                recorded: Some(name),
            };
            page(&p.visitor, b, &Problems::default(), StatusCode::OK)
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let service = match purpose {
                Some(pp) => service_form(&app, lang, pp, f.get("verification_id")).await?,
                None => None,
            };
            let b = Bound {
                purposes: &purposes,
                purpose,
                values: f.shown(),
                verdict: None,
                service,
                recorded: None,
            };
            page(&p.visitor, b, &problems, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}
