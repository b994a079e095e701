//! Server-rendered pages for people (employers, officers, verifiers, admin).
//! They call the same domain rules and storage as the API: the API handlers'
//! shared functions (`file`, `replace_form`, `send`, `record`, `register`,
//! `add`, `sign_in`, `sign_out`, `scope`, `enrol::record`, `make_batch`,
//! `events::record`), never a copy of them.

mod admin;
mod assets;
mod cards;
mod ecard;
mod flash;
mod form;
pub mod i18n;
mod keys;
mod paging;
mod permits;
mod qr;
mod render;
mod session;
mod social_security;
#[cfg(test)]
mod tests;
mod verify;
mod visitor;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use zhengka_domain::employer::Role;

use crate::AppState;
use render::PageError;
use visitor::Visitor;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/web/") }))
        .route("/web", get(|| async { Redirect::to("/web/") }))
        .route("/web/", get(home))
        .route("/web/sign-in", get(session::form).post(session::sign_in))
        .route("/web/sign-out", post(session::sign_out))
        .route("/web/lang/{tag}", get(session::switch_language))
        .route("/web/verify", get(verify::form).post(verify::verify))
        .route(
            "/web/admin/employers",
            get(admin::employers).post(admin::create_employer),
        )
        .route(
            "/web/admin/users",
            get(admin::users).post(admin::create_user),
        )
        .route("/web/admin/audit", get(admin::audit))
        .route("/web/admin/keys", get(keys::show))
        .route("/web/static/{file}", get(assets::file))
        .route("/web/static/vendor/{file}", get(assets::vendor))
        .merge(permits::routes())
        .merge(social_security::routes())
        .merge(cards::routes())
        .merge(ecard::routes())
        .layer(middleware::from_fn(render::error_pages))
        .layer(middleware::from_fn(assets::security_headers))
}

/// `GET /web/`: each role's start page.
async fn home(v: Visitor) -> Result<Response, PageError> {
    let Some(caller) = &v.caller else {
        return Ok(Redirect::to("/web/sign-in").into_response());
    };
    let start = match caller.user.role {
        Role::EmployerAgent => "/web/applications",
        Role::PermitOfficer => "/web/queue?step=submitted",
        Role::Admin => "/web/admin/employers",
        Role::SocialSecurityOfficer => "/web/social-security/accounts",
        Role::CardOfficer => "/web/cards",
        Role::PoliceOfficer | Role::RelyingParty => "/web/verify",
        Role::Foreigner => "/web/ecard",
    };
    Ok(Redirect::to(start).into_response())
}
