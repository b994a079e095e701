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

pub use reply::{Reply, audit, limit, page, reply};

use crate::http::routes::Routes;

/// Every `/api/v1` route, registered through [`Routes`] so that each one is
/// recorded (and checked against the OpenAPI document).
pub fn routes() -> Routes {
    use applications::{create, decide, get, list, submit, update};
    let permits = Routes::new()
        .post("/api/v1/sessions", sessions::create)
        .delete("/api/v1/sessions/current", sessions::delete)
        .post("/api/v1/employers", employers::create)
        .get("/api/v1/employers", employers::list)
        .get("/api/v1/employers/{id}", employers::get)
        .post("/api/v1/users", users::create)
        .get("/api/v1/users", users::list)
        .get("/api/v1/users/me", users::me)
        .post("/api/v1/users/me/totp", totp::enrol)
        .post("/api/v1/users/me/totp/confirm", totp::confirm)
        .post("/api/v1/applications", create::create)
        .get("/api/v1/applications", list::list)
        .get("/api/v1/applications/{id}", get::get)
        .put("/api/v1/applications/{id}", update::update)
        .post("/api/v1/applications/{id}/submit", submit::submit)
        .post("/api/v1/applications/{id}/decisions", decide::decide)
        .post("/api/v1/applications/{id}/materials", materials::upload)
        .get("/api/v1/applications/{id}/materials", materials::list)
        .body_limit("/api/v1/applications/{id}/materials", materials::BODY_LIMIT)
        .get(
            "/api/v1/applications/{id}/materials/{material_id}",
            materials::download,
        )
        .get("/api/v1/applications/{id}/notice", credentials::notice)
        .get(
            "/api/v1/applications/{id}/notice.pdf",
            crate::pdf::notice_pdf,
        )
        .post("/api/v1/verifications", credentials::verify_online)
        .get("/api/v1/trust-list", credentials::trust_list)
        .get("/api/v1/status-lists/{id}", credentials::status_list)
        .get("/api/v1/permits", permits::list)
        .post("/api/v1/permits", legacy_permits::create)
        .get("/api/v1/permits/{permit_number}", permits::get)
        .post(
            "/api/v1/permits/{permit_number}/entry",
            permits::record_entry,
        )
        .post(
            "/api/v1/permits/{permit_number}/onsite-verifications",
            permits::onsite_verification,
        )
        .post("/api/v1/admin/cut-over", admin::cut_over)
        .post("/api/v1/admin/sweep-deadlines", admin::sweep_deadlines)
        .get("/api/v1/audit", audit::list)
        .get("/api/v1/audit/verify", audit::verify)
        .post("/api/v1/admin/dispatch-events", admin::dispatch_events);
    cards::routes(social_security::routes(permits))
}
