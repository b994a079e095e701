//! The holder's own card: a signed-in `foreigner` may report it lost (it is
//! frozen at once) and, once a loss report froze it, ask for its replacement.
//! Every other event stays with the card officers. Another person's card, or
//! a number that does not exist, is the same 404.

use zhengka_domain::cards::{Card, CardEventType, CardNumber, CardStatus};
use zhengka_store::StoreError;

use crate::AppState;
use crate::api::ecard::own_holder;
use crate::auth::Caller;
use crate::http::ApiError;

/// The card numbered `raw` if it is the signed-in holder's, and the holder
/// may record `kind` on it now.
pub async fn own_card_for(
    app: &AppState,
    caller: &Caller,
    raw: &str,
    kind: CardEventType,
) -> Result<Card, ApiError> {
    let holder = own_holder(app, caller).await?;
    let number = CardNumber::parse(raw).map_err(|_| ApiError::NotFound)?;
    let card = match app.store.get_card(&number).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if card.elements.permit_number != holder.permit_number {
        return Err(ApiError::NotFound);
    }
    holder_may(&card, kind)?;
    Ok(card)
}

/// `lost` on any card (the lifecycle decides whether it is made yet);
/// `replaced` only on a card frozen by a loss report, not one an officer
/// froze (that is the officer's to lift or replace).
pub fn holder_may(card: &Card, kind: CardEventType) -> Result<(), ApiError> {
    let frozen_by_loss = card.state.status == CardStatus::Frozen
        && card
            .events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, CardEventType::Lost | CardEventType::Frozen))
            .is_some_and(|e| e.kind == CardEventType::Lost);
    match kind {
        CardEventType::Lost => Ok(()),
        CardEventType::Replaced if frozen_by_loss => Ok(()),
        CardEventType::Replaced => Err(ApiError::conflict(
            "replacement_needs_loss_report",
            "a holder may ask for a replacement once a loss report froze the card",
        )),
        _ => Err(ApiError::invalid(
            "type",
            "event_not_allowed",
            "a holder may report the card lost, then ask for its replacement",
        )),
    }
}
