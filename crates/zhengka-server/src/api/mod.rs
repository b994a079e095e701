//! `/api/v1`: a folder per bounded context (`permits/`, `social_security/`,
//! `cards/`), the employers & users context and the credentials beside them;
//! one module per resource, one function per action.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod cards;
pub mod credentials;
pub mod directory;
pub mod ecard;
pub mod employers;
pub mod ops;
pub mod permits;
mod reply;
pub mod sessions;
pub mod social_security;
pub mod totp;
pub mod users;
pub mod verification;

pub use reply::{Reply, audit, limit, page, reply};

use crate::http::routes::Routes;

/// Every `/api/v1` route, registered through [`Routes`] so that each one is
/// recorded (and checked against the OpenAPI document).
pub fn routes() -> Routes {
    let platform = Routes::new()
        .post("/api/v1/sessions", sessions::create)
        .delete("/api/v1/sessions/current", sessions::delete)
        .post("/api/v1/employers", employers::create)
        .get("/api/v1/employers", directory::employers)
        .get("/api/v1/employers/{id}", employers::get)
        .post("/api/v1/users", users::create)
        .get("/api/v1/users", directory::users)
        .get("/api/v1/users/me", users::me)
        .post("/api/v1/users/me/totp", totp::enrol)
        .post("/api/v1/users/me/totp/confirm", totp::confirm)
        .post("/api/v1/users/me/totp/disable", totp::disable)
        .post(
            "/api/v1/users/{id}/password-reset",
            accounts::password_reset,
        )
        .post("/api/v1/users/{id}/{action}", accounts::account_action)
        .put("/api/v1/users/{id}/role", accounts::set_role)
        .post("/api/v1/password-resets", accounts::redeem_link)
        .post("/api/v1/admin/cut-over", admin::cut_over)
        .post("/api/v1/admin/sweep-deadlines", admin::sweep_deadlines)
        .post("/api/v1/admin/dispatch-events", admin::dispatch_events)
        .post("/api/v1/admin/sweep-reminders", admin::sweep_reminders)
        .get("/api/v1/audit", audit::list)
        .get("/api/v1/audit/verify", audit::verify);
    let credentials = |r: Routes| {
        r.get("/api/v1/applications/{id}/notice", credentials::notice)
            .get(
                "/api/v1/applications/{id}/notice.pdf",
                crate::pdf::notice_pdf,
            )
            .post("/api/v1/verifications", credentials::verify_online)
            .get("/api/v1/trust-list", credentials::trust_list)
            .get("/api/v1/status-lists/{id}", credentials::status_list)
    };
    let contexts = permits::routes(platform);
    let card_side = ecard::routes(cards::routes(social_security::routes(credentials(
        contexts,
    ))));
    verification::routes(card_side)
}
