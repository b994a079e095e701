//! The holder's pages (the `foreigner` role), mobile-first: registration
//! (real-name, then the real-person step with the phone's camera), password
//! reset, and the e-card itself with the card's loss report and replacement,
//! the Notices to download and closing the account. They call the API's own
//! functions (`register::start`, `real_person::pass`, `view::load`,
//! `events::record`, `notices::own_notice_pdf`, `close::close_account`).
//! The live QR (`/web/ecard/qr`) and the notifications
//! (`/web/ecard/notifications`) have their own pages, linked from here.

mod actions;
mod card;
mod real_person;
mod register;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use axum::routing::{get, post};

use super::session::{PRE_COOKIE, set_cookie};
use super::visitor::Visitor;
use crate::AppState;
use crate::api::ecard::real_person::BODY_LIMIT;

#[cfg(test)]
pub use register::KINDS;

/// What the real-person page may report after a check (the catalogue test
/// checks each has its texts).
#[cfg(test)]
pub const OUTCOMES: [&str; 7] = [
    "pass",
    "reset",
    "fail",
    "unavailable",
    "locked",
    "closed",
    "already",
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/ecard", get(card::show))
        .route(
            "/web/ecard/register",
            get(register::register_form).post(register::register),
        )
        .route(
            "/web/ecard/reset",
            get(register::reset_form).post(register::reset),
        )
        .route(
            "/web/ecard/register/{id}/real-person",
            get(real_person::form)
                .post(real_person::check)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/web/ecard/notices/{file}", get(card::notice))
        .route("/web/ecard/decision.pdf", get(card::decision))
        .route("/web/ecard/card/lost", post(actions::lost))
        .route("/web/ecard/card/replace", post(actions::replace))
        .route("/web/ecard/close", post(actions::close))
}

/// Whether the built-in demo stands in for the real-person provider: every
/// holder page says so.
pub fn demo(app: &AppState) -> bool {
    app.providers
        .real_person
        .as_ref()
        .is_some_and(|p| p.is_demo())
}

/// A public form needs a CSRF secret before there is a session: the
/// pre-session cookie, set here when the visitor has none yet.
pub fn with_secret(v: &mut Visitor, page: impl FnOnce(&Visitor) -> Response) -> Response {
    let fresh = v.ensure_secret();
    let mut response = page(v);
    if let Some(secret) = fresh {
        let c = set_cookie(PRE_COOKIE, &secret, Some(3600), v.secure);
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}
