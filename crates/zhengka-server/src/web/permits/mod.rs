//! The permits context's pages: employers' applications and permits, the
//! officers' queues and decisions, entry and on-site checks, the cut-over.

mod counts;
pub(super) mod cut_over;
pub(super) mod detail;
pub(super) mod employer;
pub(super) mod facts;
pub(super) mod follow_up;
pub(super) mod materials;
pub(super) mod notice;
pub(super) mod officer;
pub(super) mod permit;
pub(super) mod permit_list;
pub(super) mod preview;
mod sample;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/applications", get(employer::dashboard))
        .route(
            "/web/applications/new",
            get(employer::new_form).post(employer::create),
        )
        .route("/web/applications/preview", post(preview::preview))
        .route("/web/applications/search", post(employer::search))
        .route("/web/applications/{id}", get(detail::show))
        .route(
            "/web/applications/{id}/edit",
            get(employer::edit_form).post(employer::update),
        )
        .route("/web/applications/{id}/submit", post(employer::submit))
        .route(
            "/web/applications/{id}/materials",
            post(materials::upload).layer(DefaultBodyLimit::max(
                crate::api::permits::materials::BODY_LIMIT,
            )),
        )
        .route(
            "/web/applications/{id}/materials/{material_id}",
            get(materials::download),
        )
        .route("/web/applications/{id}/notice.pdf", get(notice::pdf))
        .route("/web/applications/{id}/decisions", post(officer::decide))
        .route("/web/permits", get(permit_list::list))
        .route("/web/permits/search", post(permit_list::search))
        .route("/web/permits/{number}/entry", post(permit::entry))
        .route("/web/permits/{number}/onsite", post(permit::onsite))
        .route("/web/queue", get(officer::queue))
        .route("/web/follow-up", get(follow_up::follow_up))
        .route("/web/my-decisions", get(follow_up::mine))
        .route("/web/cut-over", get(cut_over::show))
        .route("/web/admin/cut-over", post(cut_over::run))
}
