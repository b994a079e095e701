//! The signed-in person's own account: switch the authenticator (TOTP) on,
//! with a QR code for the app, or off, both with a current code. The API's
//! functions do the work (`api::totp::{start, switch_on, switch_off}`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::flash;
use super::form::Problems;
use super::render::PageError;
use super::visitor::{Posted, Visitor};
use crate::AppState;
use crate::api::totp;

/// `GET /web/account`
pub async fn show(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    page(&app, &v, &Problems::default(), StatusCode::OK).await
}

async fn page(
    app: &AppState,
    v: &Visitor,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.caller.as_ref().ok_or(PageError::SignIn)?;
    let (state, enrolment) = match totp::current(app, caller).await? {
        Some(t) if t.active => ("on", None),
        Some(t) => ("pending", Some(totp::enrolment(app, caller, &t.secret))),
        None => ("off", None),
    };
    let pending = enrolment.map(|e| {
        let qr = super::qr::svg(&e.otpauth_uri, &v.text("account.qr_label"));
        context! { secret => e.secret, qr => qr }
    });
    let values = context! {
        section => "account",
        username => caller.user.username.clone(),
        role => caller.user.role.as_str(),
        state => state,
        pending => pending,
        f => context! { values => context! {}, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "account.html", values)
}

/// `POST /web/account/totp`: a new secret, shown on the account page.
pub async fn start(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.caller.as_ref().ok_or(PageError::SignIn)?;
    match totp::start(&app, caller).await {
        Ok(_) => Ok(Redirect::to("/web/account#totp").into_response()),
        Err(e) => refused(&app, &p, e).await,
    }
}

/// `POST /web/account/totp/confirm`: switch it on with a code from the app.
pub async fn confirm(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.caller.as_ref().ok_or(PageError::SignIn)?;
    match totp::switch_on(&app, caller, p.fields.get("code").trim()).await {
        Ok(()) => Ok(Redirect::to(&flash::done("/web/account", "totp_on")).into_response()),
        Err(e) => refused(&app, &p, e).await,
    }
}

/// `POST /web/account/totp/off`: switch it off with a current code.
pub async fn switch_off(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.caller.as_ref().ok_or(PageError::SignIn)?;
    match totp::switch_off(&app, caller, p.fields.get("code").trim()).await {
        Ok(()) => Ok(Redirect::to(&flash::done("/web/account", "totp_off")).into_response()),
        Err(e) => refused(&app, &p, e).await,
    }
}

async fn refused(
    app: &AppState,
    p: &Posted,
    e: crate::http::ApiError,
) -> Result<Response, PageError> {
    let problems = Problems::from_api(&p.visitor, e)?;
    page(app, &p.visitor, &problems, StatusCode::UNPROCESSABLE_ENTITY).await
}
