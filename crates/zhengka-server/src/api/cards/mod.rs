//! The cards context's API: apply for the physical card, follow it through
//! production, delivery or window issuance, report loss, freeze, replace; and
//! the production batches exchanged with the manufacturer and bank.

pub mod apply;
pub mod batches;
pub mod events;
pub mod list;
pub mod view;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use zhengka_domain::cards::{Card, CardNumber};
use zhengka_domain::employer::Role;

use crate::AppState;
use crate::auth::Caller;
use crate::http::ApiError;

pub use view::CardView;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cards", post(apply::apply).get(list::list))
        .route("/api/v1/cards/{card_number}", get(list::get))
        .route("/api/v1/cards/{card_number}/events", post(events::post))
        .route("/api/v1/card-batches", post(batches::create))
        .route("/api/v1/card-batches/{id}", get(batches::get))
        .route("/api/v1/card-batches/{id}/file", get(batches::file))
        .route(
            "/api/v1/card-batches/{id}/result",
            post(batches::result).layer(DefaultBodyLimit::max(batches::RESULT_LIMIT)),
        )
}

/// The roles that read cards.
pub const READERS: &[Role] = &[
    Role::CardOfficer,
    Role::SocialSecurityOfficer,
    Role::EmployerAgent,
];

/// A card the caller may see (another region's or employer's is absent).
pub(crate) async fn visible_card(
    app: &AppState,
    caller: &Caller,
    raw: &str,
) -> Result<Card, ApiError> {
    let number = CardNumber::parse(raw).map_err(|_| ApiError::NotFound)?;
    let card = app.store.get_card(&number).await?;
    caller.may_see(&card.employer_id, &card.elements.issuing_region)?;
    Ok(card)
}
