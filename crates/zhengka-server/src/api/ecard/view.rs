//! `GET /api/v1/ecard`: the holder's e-card, read through each context's
//! published query: the permit as on its record, the social security account
//! (SSN masked: `GET /api/v1/ecard/ssn` shows it when the holder asks), the
//! physical card. `GET /api/v1/ecard/ssn`: the SSN in full, to the holder only.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use zhengka_domain::cards::Card;
use zhengka_domain::ecard::{Holder, RealPersonSource};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::Permit;
use zhengka_domain::social_security::Account;
use zhengka_store::StoreError;

use super::own_holder;
use crate::AppState;
use crate::api::cards::view::CardView;
use crate::api::social_security::AccountView;
use crate::api::social_security::account_and_card;
use crate::api::{Reply, reply};
use crate::auth::Caller;
use crate::http::ApiError;

#[derive(Serialize)]
pub struct HolderView<'a> {
    pub id: &'a str,
    pub permit_number: &'a str,
    /// `demo` when the built-in demo stand-in vouched for the person.
    pub real_person: &'static str,
    pub registered_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct EcardView<'a> {
    holder: HolderView<'a>,
    permit: &'a Permit,
    social_security: Option<AccountView<'a>>,
    card: Option<CardView<'a>>,
    /// The holder's unread notifications (`GET /api/v1/ecard/notifications`).
    unread_notifications: i64,
}

/// Everything the e-card shows, read once per request.
pub struct Ecard {
    pub holder: Holder,
    pub permit: Permit,
    pub account: Option<Account>,
    pub card: Option<Card>,
}

pub async fn load(app: &AppState, caller: &Caller) -> Result<Ecard, ApiError> {
    load_for(app, own_holder(app, caller).await?).await
}

/// The rest of `holder`'s e-card: the permit and the account (then its card)
/// are read at once, not one after the other.
async fn load_for(app: &AppState, holder: Holder) -> Result<Ecard, ApiError> {
    let number = &holder.permit_number;
    let (permit, (account, card)) = tokio::try_join!(
        async { Ok::<_, ApiError>(app.store.get_permit(number).await?) },
        account_and_card(app, number),
    )?;
    Ok(Ecard {
        holder,
        permit,
        account,
        card,
    })
}

pub fn holder_view(h: &Holder) -> HolderView<'_> {
    HolderView {
        id: &h.id,
        permit_number: h.permit_number.as_str(),
        real_person: match h.real_person.source {
            RealPersonSource::Demo => "demo",
            RealPersonSource::Provider => "provider",
        },
        registered_at: h.created_at,
    }
}

pub async fn get(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let holder_id = holder.id.clone();
    let (e, unread) = tokio::try_join!(load_for(&app, holder), async {
        Ok::<_, ApiError>(app.store.unread_notifications(&holder_id).await?)
    })?;
    let today = Utc::now().date_naive();
    // Masked here as for an employer: the summary is shown on a phone screen.
    let masked = Role::EmployerAgent;
    reply(
        StatusCode::OK,
        &EcardView {
            holder: holder_view(&e.holder),
            permit: &e.permit,
            social_security: e.account.as_ref().map(|a| AccountView::of(a, masked)),
            card: e.card.as_ref().map(|c| CardView::of(c, masked, today)),
            unread_notifications: unread,
        },
    )
}

#[derive(Serialize)]
struct SsnView<'a> {
    ssn: &'a str,
}

pub async fn ssn(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    let holder = own_holder(&app, &caller).await?;
    let account = match app.store.account_for_permit(&holder.permit_number).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => {
            return Err(ApiError::Missing {
                code: "no_social_security_account",
                message: "no social security account for this permit yet",
            });
        }
        Err(e) => return Err(e.into()),
    };
    reply(
        StatusCode::OK,
        &SsnView {
            ssn: account.ssn.expose(),
        },
    )
}
