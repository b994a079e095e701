//! Server-rendered pages for people (employers, officers, verifiers, admin).
//! They call the same domain rules and storage as the API: the API handlers'
//! shared functions (`file`, `replace_form`, `send`, `record`, `register`,
//! `add`, `sign_in`, `sign_out`, `scope`, `enrol::record`, `make_batch`,
//! `events::record`, the federation's `pin`, `refresh_now` and `unpin`),
//! never a copy of them.

mod account;
mod admin;
mod admin_accounts;
mod admin_peers;
mod admin_relying;
mod admin_roles;
pub(crate) mod all_errors;
mod assets;
mod cards;
mod ecard;
mod ecard_checks;
mod ecard_devices;
mod ecard_notifications;
#[cfg(test)]
mod error_codes;
mod errors;
mod flash;
mod form;
pub mod i18n;
mod keys;
mod next;
mod paging;
mod permits;
mod pickers;
mod public_check;
mod qr;
mod readable;
mod render;
mod session;
mod social_security;
#[cfg(test)]
mod tests;
mod verdict;
mod verifier;
mod verify;
mod visitor;

use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use zhengka_domain::employer::Role;

use crate::AppState;
pub use errors::not_found as not_found_page;
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
        .route("/web/verify/service-use", post(verifier::service_use))
        .route(
            "/web/check",
            get(public_check::form).post(public_check::submit),
        )
        .route("/web/account", get(account::show))
        .route("/web/account/totp", post(account::start))
        .route("/web/account/totp/confirm", post(account::confirm))
        .route("/web/account/totp/off", post(account::switch_off))
        .route(
            "/web/admin/employers",
            get(admin::employers).post(admin::create_employer),
        )
        .route(
            "/web/admin/users",
            get(admin::users).post(admin::create_user),
        )
        .route(
            "/web/admin/users/{id}/password-reset",
            post(admin_accounts::reset_link),
        )
        .route("/web/admin/users/{id}/{action}", post(admin_accounts::act))
        .route(
            "/web/admin/users/{id}/role",
            get(admin_roles::form).post(admin_roles::set),
        )
        .route(
            "/web/password-reset/{token}",
            get(admin_accounts::form).post(admin_accounts::set),
        )
        .route("/web/admin/audit", get(admin::audit))
        .route("/web/admin/keys", get(keys::show))
        .route("/web/static/{file}", get(assets::file))
        .route("/favicon.ico", get(assets::favicon))
        .route("/web/regions.json", get(pickers::regions))
        .route("/web/static/vendor/{file}", get(assets::vendor))
        .merge(permits::routes())
        .merge(social_security::routes())
        .merge(cards::routes())
        .merge(ecard::routes())
        .merge(ecard_notifications::routes())
        .merge(ecard_devices::routes())
        .merge(ecard_checks::routes())
        .merge(admin_relying::routes())
        .merge(admin_peers::routes())
        .layer(middleware::from_fn(errors::error_pages))
        .layer(middleware::from_fn(session::remember_language))
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
