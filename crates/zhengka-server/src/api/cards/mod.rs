//! The cards context's API: apply for the physical card, follow it through
//! production, delivery or window issuance, report loss, freeze, replace; and
//! the production batches exchanged with the manufacturer and bank.

pub mod apply;
pub mod batches;
pub mod events;
pub mod holder;
pub mod list;
pub mod view;

use zhengka_domain::cards::{Card, CardNumber};
use zhengka_domain::employer::Role;

use crate::AppState;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::routes::Routes;

pub use view::CardView;

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/cards", apply::apply)
        .get("/api/v1/cards", list::list)
        .get("/api/v1/cards/{card_number}", list::get)
        .post("/api/v1/cards/{card_number}/events", events::post)
        .post("/api/v1/card-batches", batches::create)
        .get("/api/v1/card-batches/{id}", batches::get)
        .get("/api/v1/card-batches/{id}/file", batches::file)
        .post("/api/v1/card-batches/{id}/result", batches::result)
        .body_limit("/api/v1/card-batches/{id}/result", batches::RESULT_LIMIT)
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
