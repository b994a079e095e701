//! `/web/ecard/register` and `/web/ecard/reset` (public): name + one of
//! permit number, SSN or Notice QR (pasted, read from a photo of it, or
//! scanned with the camera), and a password typed twice. The same real-name
//! step as the API (`register::start`): every refusal is the one message.
//! What was typed comes back on an error, never the passwords.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use zhengka_domain::ecard::RegistrationPurpose;

use super::{demo, with_secret};
use crate::AppState;
use crate::api::ecard::register::{NewRegistration, start};
use crate::http::ApiError;
use crate::http::client::ClientAddress;
use crate::web::form::Problems;
use crate::web::i18n::Lang;
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Posted, PublicPosted, Visitor};

/// The identifiers a person may register with, in the order offered.
pub const KINDS: [&str; 3] = ["permit_number", "ssn", "notice_qr"];
/// Fields shown again after an error (the passwords are not among them).
const KEPT: [&str; 5] = ["name", "id_kind", "permit_number", "ssn", "notice_qr"];

/// `GET /web/ecard/register`
pub async fn register_form(State(app): State<AppState>, v: Visitor) -> Response {
    blank(&app, v, RegistrationPurpose::Register)
}

/// `GET /web/ecard/reset`
pub async fn reset_form(State(app): State<AppState>, v: Visitor) -> Response {
    blank(&app, v, RegistrationPurpose::ResetPassword)
}

fn blank(app: &AppState, mut v: Visitor, purpose: RegistrationPurpose) -> Response {
    let demo = demo(app);
    with_secret(&mut v, |v| {
        let values = Fields(vec![("id_kind".into(), "permit_number".into())]);
        page(
            v,
            demo,
            purpose,
            &values,
            &Problems::default(),
            StatusCode::OK,
        )
        .unwrap_or_else(IntoResponse::into_response)
    })
}

/// `POST /web/ecard/register`
pub async fn register(
    State(app): State<AppState>,
    client: ClientAddress,
    PublicPosted(p): PublicPosted,
) -> Result<Response, PageError> {
    submit(&app, &client, p, RegistrationPurpose::Register).await
}

/// `POST /web/ecard/reset`
pub async fn reset(
    State(app): State<AppState>,
    client: ClientAddress,
    PublicPosted(p): PublicPosted,
) -> Result<Response, PageError> {
    submit(&app, &client, p, RegistrationPurpose::ResetPassword).await
}

async fn submit(
    app: &AppState,
    client: &ClientAddress,
    p: Posted,
    purpose: RegistrationPurpose,
) -> Result<Response, PageError> {
    let Posted { visitor: v, fields } = p;
    let result = if fields.get("password") != fields.get("password2") {
        // Checked first: a typing slip costs no attempt.
        Err(ApiError::invalid(
            "password2",
            "password_mismatch",
            "the two passwords differ",
        ))
    } else if let Some(kind) = missing_identifier(&fields) {
        Err(ApiError::invalid(
            kind,
            "required",
            "fill in the chosen identifier",
        ))
    } else {
        start(app, client, request(&fields, v.lang), purpose).await
    };
    match result {
        Ok(r) => {
            let to = format!("/web/ecard/register/{}/real-person", r.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(ApiError::TooManyRequests { .. }) => {
            let problems = summary_only(&v, "error.too_many_attempts");
            page(
                &v,
                demo(app),
                purpose,
                &fields,
                &problems,
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(e) => {
            let problems = Problems::from_api(&v, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&v, demo(app), purpose, &fields, &problems, status)
        }
    }
}

/// The chosen identifier's field, when it was left empty.
fn missing_identifier(fields: &Fields) -> Option<&'static str> {
    let kind = chosen(fields);
    fields.get(kind).trim().is_empty().then_some(kind)
}

fn chosen(fields: &Fields) -> &'static str {
    KINDS
        .into_iter()
        .find(|k| *k == fields.get("id_kind"))
        .unwrap_or("permit_number")
}

/// The API's request from the form: only the chosen identifier is sent.
fn request(fields: &Fields, lang: Lang) -> NewRegistration {
    let kind = chosen(fields);
    let given = |k: &str| (k == kind).then(|| fields.get(k).trim().to_owned());
    NewRegistration {
        name: fields.get("name").to_owned(),
        permit_number: given("permit_number"),
        ssn: given("ssn"),
        notice_qr: given("notice_qr"),
        password: fields.get("password").to_owned(),
        lang: Some(if lang == Lang::En { "en" } else { "zh" }.to_owned()),
    }
}

/// A problem with no field of its own (the refusal, the limit).
pub fn summary_only(v: &Visitor, key: &str) -> Problems {
    let mut p = Problems::default();
    p.summary.push(("main".into(), v.text(key)));
    p
}

fn page(
    v: &Visitor,
    demo: bool,
    purpose: RegistrationPurpose,
    posted: &Fields,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let kept: Value = posted
        .0
        .iter()
        .filter(|(k, _)| KEPT.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let reset = purpose == RegistrationPurpose::ResetPassword;
    let values = context! {
        section => "ecard",
        demo_real_person => demo,
        reset => reset,
        action => if reset { "/web/ecard/reset" } else { "/web/ecard/register" },
        kinds => KINDS,
        f => context! { values => kept, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "ecard_register.html", values)
}
