//! The social security officer's pages: enrol a permit holder (the permit
//! checked through the system), the region's accounts with search and paging,
//! one account, and the 30-day registration queue. They call the API's own
//! functions (`enrol::record`, `accounts::find`, `due_registrations`).

mod accounts;
mod due;
mod enrol;

use axum::Router;
use axum::routing::{get, post};
use zhengka_domain::employer::Role;

use crate::AppState;

/// The role these pages are for.
pub const OFFICER: &[Role] = &[Role::SocialSecurityOfficer];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/social-security/accounts", get(accounts::list))
        .route(
            "/web/social-security/accounts/search",
            post(accounts::search),
        )
        .route("/web/social-security/accounts/{id}", get(accounts::show))
        .route(
            "/web/social-security/enrol",
            get(enrol::form).post(enrol::enrol),
        )
        .route("/web/social-security/due", get(due::queue))
}
