//! What offline verifiers download, the Notice, and online verification.

use axum::Extension;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_credential::{
    Body, Claims, PermitFacts, Policy, Purpose, Rejection, Verified, verify_with_set,
};
use zhengka_domain::employer::Role;

use super::permits::applications::load_visible;
use super::{Reply, audit, reply};
use crate::AppState;
use crate::auth::Caller;
use crate::credentials::federation;
use crate::http::ApiPath as Path;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};
use zhengka_store::{Nonce, Once};

const COSE: &str = "application/cose; cose-type=\"cose-sign1\"";

fn cose(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, COSE),
            (header::CACHE_CONTROL, "public, max-age=30"),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /api/v1/trust-list` (public): the signed list of issuer keys.
pub async fn trust_list(State(app): State<AppState>) -> Response {
    cose(app.credentials.trust_list(Utc::now().timestamp()))
}

/// `GET /api/v1/status-lists/{id}` (public): the signed status list.
pub async fn status_list(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let now = Utc::now().timestamp();
    let bytes = match id.as_str() {
        "1" => app.credentials.status_list(app.store.as_ref(), now).await?,
        "2" => {
            app.credentials
                .card_status_list(app.store.as_ref(), now)
                .await?
        }
        crate::credentials::DEVICE_STATUS_LIST => {
            app.credentials
                .device_status_list(app.store.as_ref(), now)
                .await?
        }
        _ => return Err(ApiError::NotFound),
    };
    Ok(cose(bytes))
}

#[derive(Serialize)]
struct NoticeView<'a> {
    notice_id: &'a str,
    permit_number: Option<&'a str>,
    issued_at: String,
    /// The QR payload (`ZK1:...`), to print as a QR code.
    qr: &'a str,
}

/// `GET /api/v1/applications/{id}/notice`: the Work Permit Notice of an approved
/// application from abroad, or of the extension or change that replaced it.
pub async fn notice(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let application = load_visible(&app, &caller, &id).await?;
    let notice = application.notice.as_ref().ok_or_else(|| {
        ApiError::conflict(
            "no_notice",
            "only an approved new_from_abroad, reissue_notice, extension or change application has a Notice",
        )
    })?;
    let view = NoticeView {
        notice_id: &notice.notice_id,
        permit_number: application.permit_number.as_ref().map(|p| p.as_str()),
        issued_at: notice
            .issued_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        qr: &notice.qr,
    };
    reply(StatusCode::OK, &view)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationRequest {
    pub qr: String,
    pub purpose: VerificationPurpose,
    /// Why the check is made (recorded in the audit trail).
    #[serde(default)]
    pub reason: Option<zhengka_domain::permits::application::BoundedText<1, 200>>,
}

/// The two checks that predate purposes: is this Notice / presentation valid,
/// with the fields the caller's role sees.
#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum VerificationPurpose {
    Notice,
    Presentation,
}

/// `POST /api/v1/verifications` (police_officer, relying_party, permit_officer):
/// check a QR online against the current trust and status lists.
pub async fn verify_online(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(VERIFIERS)?;
    Ok(check_any(&app, &caller, key.as_deref(), &body).await?.1)
}

/// A check of either shape: `purpose: notice | presentation` (the role's
/// fields, as before purposes) or a verification purpose (its fields only).
pub async fn check_any(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    body: &JsonBody,
) -> Result<(serde_json::Value, Reply), ApiError> {
    #[derive(Deserialize)]
    struct Peek {
        purpose: Option<serde_json::Value>,
    }
    let peek: Peek = body.parse()?;
    let legacy = matches!(
        peek.purpose.as_ref().and_then(|p| p.as_str()),
        Some("notice" | "presentation")
    );
    if legacy {
        let req: VerificationRequest = body.parse()?;
        return check(app, caller, key, req).await;
    }
    if peek.purpose.is_none() {
        return Err(ApiError::invalid(
            "purpose",
            "required",
            "say what the check is for",
        ));
    }
    let req: crate::api::verification::verify::CheckRequest = body.parse()?;
    let (answer, reply) = crate::api::verification::verify::check(app, caller, req).await?;
    Ok((
        serde_json::to_value(&answer).map_err(|e| ApiError::Internal(e.to_string()))?,
        reply,
    ))
}

/// The roles that may verify a QR online.
pub const VERIFIERS: &[Role] = &[
    Role::PoliceOfficer,
    Role::RelyingParty,
    Role::PermitOfficer,
    Role::SocialSecurityOfficer,
];

/// Verify a QR online, with the fields the caller's role may see, and record
/// the check in the audit trail. Shared by the API and the pages: returns the
/// verdict and the reply the API sends.
pub async fn check(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    req: VerificationRequest,
) -> Result<(serde_json::Value, Reply), ApiError> {
    caller.require(VERIFIERS)?;
    if req.qr.len() > 8192 {
        return Err(ApiError::invalid(
            "qr",
            "too_long",
            "a QR payload is at most 8192 characters",
        ));
    }
    let now = Utc::now().timestamp();
    let purpose = match req.purpose {
        VerificationPurpose::Notice => Purpose::Notice,
        VerificationPurpose::Presentation => Purpose::Presentation,
    };
    let outcome = verify_qr(app, &req.qr, now, purpose).await?;
    let (body, reply, write) = verdict(caller, key, &req, &outcome)?;
    let who = crate::api::verification::verify::checker(app, caller).await?;
    let kind = match req.purpose {
        VerificationPurpose::Notice => "notice",
        VerificationPurpose::Presentation => "presentation",
    };
    let holder = outcome
        .as_ref()
        .ok()
        .and_then(|v| facts_of(&v.claims))
        .map(|f| f.permit_number.clone());
    let entry =
        |refusal: Option<&str>| who.log_entry(kind, kind, holder.clone(), refusal, Utc::now());
    // A presentation verifies once per relying party within its window: its
    // nonce is taken inside the write that records the check, so a replay is
    // refused whichever instance it reaches. Notices carry no nonce.
    let verifier = relying_party(caller);
    let once = outcome
        .as_ref()
        .ok()
        .and_then(|v| v.presented.as_ref())
        .map(|(iat, nonce)| {
            Once::Nonce(Nonce {
                verifier: &verifier,
                nonce,
                expires_at: presentation_expiry(*iat, now),
            })
        });
    let refusal = outcome.as_ref().err().map(|r| r.code());
    if app
        .store
        .log_verification(&entry(refusal), once, write)
        .await?
    {
        return Ok((body, reply));
    }
    let replayed = Err(Rejection::ReplayedOrStalePresentation);
    let (body, reply, write) = verdict(caller, key, &req, &replayed)?;
    let refusal = Some(Rejection::ReplayedOrStalePresentation.code());
    app.store
        .log_verification(&entry(refusal), None, write)
        .await?;
    Ok((body, reply))
}

/// Verify `qr` for `purpose` against the current trust and status lists
/// (the permits' list 1, for a presentation the device list 3 that its card
/// credential names) and those of every pinned peer region.
pub async fn verify_qr(
    app: &AppState,
    qr: &str,
    now: i64,
    purpose: Purpose,
) -> Result<Result<Verified, Rejection>, ApiError> {
    // This region's lists and every pinned peer region's (federation).
    let set =
        federation::verification_set(&app.credentials, app.store.as_ref(), now, purpose).await?;
    Ok(verify_with_set(qr, &set, now, purpose, &Policy::default()))
}

/// A QR as a live presentation, else as a Notice (the purpose it was checked
/// for, and the outcome), against one verification set built once.
pub async fn verify_qr_either(
    app: &AppState,
    qr: &str,
    now: i64,
) -> Result<(Purpose, Result<Verified, Rejection>), ApiError> {
    let store = app.store.as_ref();
    let live = Purpose::Presentation;
    let set = federation::verification_set(&app.credentials, store, now, live).await?;
    let policy = Policy::default();
    let outcome = verify_with_set(qr, &set, now, live, &policy);
    if matches!(outcome, Err(Rejection::WrongKindForPurpose)) {
        let notice = Purpose::Notice;
        return Ok((notice, verify_with_set(qr, &set, now, notice, &policy)));
    }
    Ok((live, outcome))
}

/// Who has seen a presentation: the caller's organisation, else the caller.
pub fn relying_party(caller: &Caller) -> String {
    if let Some(org) = caller.organisation_id() {
        return format!("organisation:{org}");
    }
    match &caller.user.employer_id {
        Some(employer) => format!("employer:{employer}"),
        None => format!("user:{}", caller.user.id),
    }
}

/// The last moment a presentation made at `iat` can verify (its window).
pub fn presentation_expiry(iat: i64, now: i64) -> DateTime<Utc> {
    let window = Policy::default().presentation_window;
    DateTime::from_timestamp(iat.saturating_add(window), 0)
        .or_else(|| DateTime::from_timestamp(now + window, 0))
        .unwrap_or_else(Utc::now)
}

/// The response to a verification and the write that records it.
fn verdict(
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    req: &VerificationRequest,
    outcome: &Result<Verified, Rejection>,
) -> Result<(serde_json::Value, Reply, zhengka_store::Write), ApiError> {
    let (body, permit_number) = match outcome {
        Ok(v) => {
            let facts = facts_of(&v.claims);
            (
                json!({ "valid": true, "kind": format!("{:?}", v.claims.body.kind()).to_lowercase(), "permit": facts.map(|f| visible(caller.user.role, f)) }),
                facts.map(|f| f.permit_number.clone()),
            )
        }
        Err(r) => (json!({ "valid": false, "reason": r.code() }), None),
    };
    let reply = reply(StatusCode::OK, &body)?;
    let details = json!({
        "purpose": match req.purpose { VerificationPurpose::Notice => "notice", VerificationPurpose::Presentation => "presentation" },
        "valid": outcome.is_ok(),
        "reason": req.reason.as_ref().map(|r| r.as_str().to_owned()),
        "rejection": outcome.as_ref().err().map(|r| r.code()),
    });
    let entity = permit_number.unwrap_or_else(|| "unknown".into());
    let write = audit(
        caller,
        key,
        "credential.verified",
        ("permit", &entity),
        details,
        &reply,
    );
    Ok((body, reply, write))
}

pub fn facts_of(claims: &Claims) -> Option<&PermitFacts> {
    match &claims.body {
        Body::Notice { facts, .. } | Body::Card { facts, .. } => Some(facts),
        Body::Presentation { .. } => None,
    }
}

/// What each role may see of a verified permit: relying parties (hospitals,
/// gates) get what they need to serve the holder, police get everything.
fn visible(role: Role, f: &PermitFacts) -> serde_json::Value {
    match role {
        Role::RelyingParty => json!({
            "holder_name": f.holder_name, "class": f.class, "valid_to": f.valid_to,
        }),
        _ => json!({
            "permit_number": f.permit_number, "holder_name": f.holder_name, "nationality": f.nationality,
            "date_of_birth": f.date_of_birth, "employer_name": f.employer_name, "employer_uscc": f.employer_uscc,
            "class": f.class, "position": f.position, "valid_from": f.valid_from, "valid_to": f.valid_to,
        }),
    }
}
