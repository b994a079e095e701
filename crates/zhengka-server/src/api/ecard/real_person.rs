//! `POST /api/v1/ecard/registrations/{id}/real-person` (public): the selfie
//! goes to the real-person provider with the permit's photo. A pass opens the
//! holder account (or sets the new password of a reset); a fail counts like a
//! refusal; an unavailable provider counts against nobody and may be retried
//! until the registration expires. The image is not kept.

use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_domain::ecard::{
    Holder, HolderStatus, RealPersonResult, RealPersonSource, Registration, RegistrationPurpose,
    Verdict,
};
use zhengka_domain::employer::{Role, User};
use zhengka_domain::events::{DomainEvent, EventData};
use zhengka_domain::permits::permit::Permit;
use zhengka_store::{Audit, StoreError, Write};

use super::register::{REFUSALS, person_key};
use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::rate_limit;
use crate::http::{ApiError, ApiPath, JsonBody};
use crate::providers::real_person::{CheckRequest, RealPersonProvider};

/// A phone camera frame as JPEG is far below this.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// The route's body limit: the image in base64 and the JSON around it.
pub const BODY_LIMIT: usize = MAX_IMAGE_BYTES * 4 / 3 + 4096;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub image: String,
}

#[derive(Serialize)]
struct Passed<'a> {
    holder_id: &'a str,
    real_person: &'a str,
    password_reset: bool,
}

pub async fn check(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let probe: Probe = body.parse()?;
    let image = decode_image(&probe.image)?;
    let (holder, demo, reset) = pass(&app, &id, &image).await?;
    reply(
        StatusCode::CREATED,
        &Passed {
            holder_id: &holder,
            real_person: if demo { "demo" } else { "provider" },
            password_reset: reset,
        },
    )
}

/// Base64 of a JPEG or PNG, at most [`MAX_IMAGE_BYTES`]; a `data:` URL prefix
/// (what a canvas gives) is accepted.
pub fn decode_image(text: &str) -> Result<Vec<u8>, ApiError> {
    let bad = |code: &str, message: &str| ApiError::invalid("image", code, message);
    let b64 = match text.split_once(";base64,") {
        Some((head, rest)) if head.starts_with("data:image/") => rest,
        _ => text,
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| bad("invalid_image", "image is base64 of a JPEG or PNG"))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(bad("image_too_large", "an image is at most 2 MiB"));
    }
    let jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    if !jpeg && !png {
        return Err(bad("invalid_image", "image is base64 of a JPEG or PNG"));
    }
    Ok(bytes)
}

fn provider(app: &AppState) -> Result<&RealPersonProvider, ApiError> {
    app.providers.real_person.as_ref().ok_or(unavailable())
}

fn unavailable() -> ApiError {
    ApiError::Unavailable {
        code: "real_person_unavailable",
        message: "the real-person check cannot be done now; try again in a moment",
    }
}

async fn open_registration(app: &AppState, id: &str) -> Result<Registration, ApiError> {
    let missing = ApiError::Missing {
        code: "registration_not_found",
        message: "no such registration",
    };
    let r = match app.store.get_registration(id).await {
        Err(StoreError::NotFound) => return Err(missing),
        other => other?,
    };
    if !r.open_at(Utc::now()) {
        return Err(ApiError::conflict(
            "registration_closed",
            "this registration is used or has expired; start again",
        ));
    }
    Ok(r)
}

/// Returns the holder id, whether the check was the demo's, and whether this
/// was a password reset.
async fn pass(app: &AppState, id: &str, image: &[u8]) -> Result<(String, bool, bool), ApiError> {
    let provider = provider(app)?;
    let r = open_registration(app, id).await?;
    let person = person_key(Some(&r.permit_number), "");
    if over_limit(app, &person).await? {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: REFUSALS.window_secs as u64,
        });
    }
    let permit = app.store.get_permit(&r.permit_number).await?;
    let request_id = uuid::Uuid::new_v4().to_string();
    let reference = reference_photo(app, &permit).await?;
    let checked = provider
        .check(&CheckRequest {
            request_id: &request_id,
            name: permit.holder_name.as_str(),
            permit_number: permit.permit_number.as_str(),
            reference_photo: reference.as_deref(),
            probe_image: image,
            captured_at: Utc::now(),
        })
        .await;
    let demo = provider.is_demo();
    let score = match checked.verdict {
        Verdict::Pass { score } => score,
        Verdict::Fail { score } => {
            rate_limit::attempt(app.store.as_ref(), &person, REFUSALS, Utc::now()).await?;
            app.store
                .record_event(failed_write(&r, &request_id, score))
                .await?;
            return Err(ApiError::invalid_no_field(
                "real_person_failed",
                "the real-person check did not pass; try again facing the camera in good light",
            ));
        }
        Verdict::Unavailable(why) => {
            tracing::warn!(cause = %why, "real-person provider unavailable");
            return Err(unavailable());
        }
    };
    let result = RealPersonResult {
        source: if demo {
            RealPersonSource::Demo
        } else {
            RealPersonSource::Provider
        },
        score,
        request_id,
        checked_at: Utc::now(),
    };
    let holder = complete(app, &r, &permit, result).await?;
    rate_limit::succeeded(app.store.as_ref(), &person).await?;
    Ok((
        holder,
        demo,
        r.purpose == RegistrationPurpose::ResetPassword,
    ))
}

/// Whether the person's refusals are over the limit already (a check that
/// counts nothing: only a failed check counts).
async fn over_limit(app: &AppState, key: &str) -> Result<bool, ApiError> {
    Ok(app.store.peek_attempts(key, Utc::now()).await? >= REFUSALS.max)
}

/// The photo filed with the permit's application, if there is one.
async fn reference_photo(app: &AppState, permit: &Permit) -> Result<Option<Vec<u8>>, ApiError> {
    let materials = app.store.list_materials(&permit.application_id).await?;
    let Some(photo) = materials.into_iter().rev().find(|m| m.kind == "photo") else {
        return Ok(None);
    };
    Ok(Some(app.store.material_data(&photo.id).await?.1))
}

async fn complete(
    app: &AppState,
    r: &Registration,
    permit: &Permit,
    result: RealPersonResult,
) -> Result<String, ApiError> {
    let now = Utc::now();
    if r.purpose == RegistrationPurpose::ResetPassword {
        let holder = app.store.holder_for_permit(&r.permit_number).await?;
        let w = passed_write(r, &holder.id, "ecard.password_reset", &result);
        app.store
            .reset_holder_password(r, &holder.user_id, w)
            .await
            .map_err(closed_conflict)?;
        return Ok(holder.id);
    }
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        username: Holder::username_for(&r.permit_number),
        role: Role::Foreigner,
        employer_id: None,
        region_code: None,
        created_at: now,
    };
    let holder = Holder {
        id: uuid::Uuid::new_v4().to_string(),
        user_id: user.id.clone(),
        permit_number: r.permit_number.clone(),
        status: HolderStatus::Active,
        real_person: result.clone(),
        lang: r.lang.clone(),
        created_at: now,
        closed_at: None,
    };
    let registered = DomainEvent::new(
        uuid::Uuid::new_v4().to_string(),
        now,
        permit.region_code.clone(),
        EventData::EcardRegistered {
            holder_id: holder.id.clone(),
            permit_number: r.permit_number.as_str().to_owned(),
        },
    );
    let w = passed_write(r, &holder.id, "ecard.holder_registered", &result).with_event(registered);
    app.store
        .open_holder(r, &holder, &user, w)
        .await
        .map_err(closed_conflict)?;
    Ok(holder.id)
}

fn closed_conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict { what } if what == "already_registered" => ApiError::conflict(
            "already_registered",
            "this person has an e-card account already; sign in, or reset the password",
        ),
        StoreError::Conflict { what } if what == "registration_closed" => ApiError::conflict(
            "registration_closed",
            "this registration is used or has expired; start again",
        ),
        other => other.into(),
    }
}

fn passed_write(
    r: &Registration,
    holder_id: &str,
    action: &'static str,
    result: &RealPersonResult,
) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: "public".into(),
        action,
        entity_type: "ecard_holder",
        entity_id: holder_id.to_owned(),
        details: json!({
            "registration_id": r.id,
            "permit_number": r.permit_number.as_str(),
            "real_person": { "source": result.source, "score": result.score, "request_id": result.request_id },
        }),
    })
}

fn failed_write(r: &Registration, request_id: &str, score: f64) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: "public".into(),
        action: "ecard.real_person_failed",
        entity_type: "permit",
        entity_id: r.permit_number.as_str().to_owned(),
        details: json!({ "registration_id": r.id, "request_id": request_id, "score": score }),
    })
}
