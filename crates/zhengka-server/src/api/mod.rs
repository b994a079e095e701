//! `/api/v1`: one module per resource, one function per action.

pub mod admin;
pub mod applications;
pub mod audit;
pub mod cards;
pub mod credentials;
pub mod employers;
pub mod legacy_permits;
pub mod materials;
pub mod ops;
pub mod permits;
mod reply;
pub mod sessions;
pub mod social_security;
pub mod totp;
pub mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub use reply::{Reply, audit, limit, page, reply};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/sessions", post(sessions::create))
        .route(
            "/api/v1/sessions/current",
            axum::routing::delete(sessions::delete),
        )
        .route(
            "/api/v1/employers",
            post(employers::create).get(employers::list),
        )
        .route("/api/v1/employers/{id}", get(employers::get))
        .route("/api/v1/users", post(users::create).get(users::list))
        .route("/api/v1/users/me", get(users::me))
        .route("/api/v1/users/me/totp", post(totp::enrol))
        .route("/api/v1/users/me/totp/confirm", post(totp::confirm))
        .route(
            "/api/v1/applications",
            post(applications::create::create).get(applications::list::list),
        )
        .route(
            "/api/v1/applications/{id}",
            get(applications::get::get).put(applications::update::update),
        )
        .route(
            "/api/v1/applications/{id}/submit",
            post(applications::submit::submit),
        )
        .route(
            "/api/v1/applications/{id}/decisions",
            post(applications::decide::decide),
        )
        .route(
            "/api/v1/applications/{id}/materials",
            post(materials::upload)
                .layer(DefaultBodyLimit::max(materials::BODY_LIMIT))
                .get(materials::list),
        )
        .route(
            "/api/v1/applications/{id}/materials/{material_id}",
            get(materials::download),
        )
        .route("/api/v1/applications/{id}/notice", get(credentials::notice))
        .route(
            "/api/v1/applications/{id}/notice.pdf",
            get(crate::pdf::notice_pdf),
        )
        .route("/api/v1/verifications", post(credentials::verify_online))
        .route("/api/v1/trust-list", get(credentials::trust_list))
        .route("/api/v1/status-lists/{id}", get(credentials::status_list))
        .route(
            "/api/v1/permits",
            get(permits::list).post(legacy_permits::create),
        )
        .route("/api/v1/permits/{permit_number}", get(permits::get))
        .route(
            "/api/v1/permits/{permit_number}/entry",
            post(permits::record_entry),
        )
        .route(
            "/api/v1/permits/{permit_number}/onsite-verifications",
            post(permits::onsite_verification),
        )
        .route("/api/v1/admin/cut-over", post(admin::cut_over))
        .route(
            "/api/v1/admin/sweep-deadlines",
            post(admin::sweep_deadlines),
        )
        .route(
            "/api/v1/admin/dispatch-events",
            post(admin::dispatch_events),
        )
        .route("/api/v1/audit", get(audit::list))
        .route("/api/v1/audit/verify", get(audit::verify))
        .merge(social_security::routes())
        .merge(cards::routes())
}
