//! `/web/ecard/register/{id}/real-person` (public): a selfie taken with the
//! phone's camera on the page (`selfie.js`: preview, capture to a canvas,
//! JPEG put into the form's file input) or an uploaded photo, checked by the
//! real-person provider (`real_person::pass`). Pass: the account is ready;
//! fail: try again, with advice; provider down: try again in a moment, the
//! registration stays open until it expires (the time is shown).

use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use minijinja::context;
use zhengka_domain::ecard::{Registration, RegistrationPurpose};
use zhengka_store::StoreError;

use super::{demo, with_secret};
use crate::AppState;
use crate::api::ecard::real_person::{check_image, pass};
use crate::http::ApiError;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::Visitor;

/// `GET /web/ecard/register/{id}/real-person`
pub async fn form(
    State(app): State<AppState>,
    mut v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let r = registration(&app, &id).await?;
    let demo = demo(&app);
    let outcome = (!r.open_at(Utc::now())).then_some("closed");
    Ok(with_secret(&mut v, |v| {
        page(v, demo, &r, outcome, &Problems::default(), StatusCode::OK)
            .unwrap_or_else(IntoResponse::into_response)
    }))
}

/// `POST /web/ecard/register/{id}/real-person` (multipart: csrf, image).
pub async fn check(
    State(app): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let (mut parts, body) = req.into_parts();
    let v = Visitor::from_request_parts(&mut parts, &app).await?;
    let bad = || PageError::Status(StatusCode::BAD_REQUEST, "error.request");
    let form = Multipart::from_request(Request::from_parts(parts, body), &app)
        .await
        .map_err(|_| bad())?;
    let (csrf, image) = read(form).await.ok_or_else(bad)?;
    if !v.csrf_ok(&csrf) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "error.csrf"));
    }
    let r = registration(&app, &id).await?;
    let demo = demo(&app);
    let result = if image.is_empty() {
        Err(ApiError::invalid(
            "image",
            "required",
            "take or choose a photo",
        ))
    } else {
        match check_image(image) {
            Ok(image) => pass(&app, &id, &image).await,
            Err(e) => Err(e),
        }
    };
    let none = Problems::default();
    let (outcome, status) = match result {
        Ok((_, _, true)) => ("reset", StatusCode::OK),
        Ok(_) => ("pass", StatusCode::OK),
        Err(ApiError::Invalid { code, .. }) if code == "real_person_failed" => {
            ("fail", StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(ApiError::Unavailable { .. }) => ("unavailable", StatusCode::SERVICE_UNAVAILABLE),
        Err(ApiError::TooManyRequests { .. }) => ("locked", StatusCode::TOO_MANY_REQUESTS),
        Err(ApiError::Conflict { code, .. }) => {
            let outcome = if code == "already_registered" {
                "already"
            } else {
                "closed"
            };
            (outcome, StatusCode::CONFLICT)
        }
        Err(e) => {
            let problems = Problems::from_api(&v, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&v, demo, &r, None, &problems, status);
        }
    };
    page(&v, demo, &r, Some(outcome), &none, status)
}

async fn registration(app: &AppState, id: &str) -> Result<Registration, PageError> {
    match app.store.get_registration(id).await {
        Ok(r) => Ok(r),
        Err(StoreError::NotFound) => Err(ApiError::NotFound.into()),
        Err(e) => Err(ApiError::from(e).into()),
    }
}

/// The form's fields: the CSRF token and the image's bytes (empty if none).
async fn read(mut form: Multipart) -> Option<(String, Vec<u8>)> {
    let (mut csrf, mut image) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.ok()? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.ok()?,
            "image" => image = field.bytes().await.ok()?.to_vec(),
            _ => {}
        }
    }
    Some((csrf, image))
}

fn page(
    v: &Visitor,
    demo: bool,
    r: &Registration,
    outcome: Option<&str>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    // Only an outcome that ends the registration hides the form.
    let done = matches!(outcome, Some("pass" | "reset" | "closed" | "already"));
    let reset = r.purpose == RegistrationPurpose::ResetPassword;
    let values = context! {
        section => "ecard",
        demo_real_person => demo,
        id => r.id.clone(),
        reset => reset,
        restart => if reset { "/web/ecard/reset" } else { "/web/ecard/register" },
        expires => r.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        outcome => outcome,
        show_form => !done,
        f => context! { values => context! {}, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "ecard_real_person.html", values)
}
