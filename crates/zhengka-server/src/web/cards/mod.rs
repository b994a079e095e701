//! The card officer's pages: the card queue (overdue against the
//! 10-working-day promise first), apply for a card, one card with the forms
//! of its legal next events, production batches (file download, return file
//! upload) and window issuance in one flow. They call the API's own functions
//! (`apply::record`, `events::record`, `make_batch`, `import`).

mod apply;
mod batches;
mod card;
mod queue;
mod search;
mod window;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use serde_json::Value;
use zhengka_domain::employer::Role;
use zhengka_domain::social_security::Ssn;

use crate::AppState;
use crate::api::cards::batches::RESULT_LIMIT;
use crate::http::ApiError;

/// The role these pages are for.
pub const OFFICER: &[Role] = &[Role::CardOfficer];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/cards", get(queue::queue))
        .route("/web/cards/search", post(search::search))
        .route("/web/cards/new", get(apply::form).post(apply::apply))
        .route("/web/cards/window", get(window::form).post(window::issue))
        .route("/web/cards/{number}", get(card::show))
        .route("/web/cards/{number}/events", post(card::event))
        .route(
            "/web/card-batches",
            get(batches::list).post(batches::create),
        )
        .route("/web/card-batches/{id}", get(batches::show))
        .route("/web/card-batches/{id}/file", get(batches::file))
        .route(
            "/web/card-batches/{id}/result",
            post(batches::result).layer(DefaultBodyLimit::max(RESULT_LIMIT)),
        )
}

/// The holder field of a form (an SSN or a permit number) as the API's
/// `ssn` or `permit_number`, put into `body`.
fn put_holder(body: &mut Value, raw: &str) {
    let raw = raw.trim();
    if raw.is_empty() {
        return;
    }
    let key = if Ssn::parse(raw).is_ok() {
        "ssn"
    } else {
        "permit_number"
    };
    body[key] = Value::from(raw);
}

/// The API's `ssn` / `permit_number` problems belong to the form's `holder`.
fn at_holder(e: ApiError) -> ApiError {
    match crate::web::form::at_field(e, "holder") {
        ApiError::Invalid {
            code,
            message,
            field: Some(f),
        } if f == "ssn" || f == "permit_number" => ApiError::invalid("holder", &code, message),
        other => other,
    }
}
