//! The holder's actions on the e-card page, each confirmed with a tick first:
//! report the card lost (frozen at once), ask for its replacement after a
//! loss, close the account. The card events are the API's own
//! (`events::record`, which lets a holder do just these two on their card).

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use zhengka_domain::cards::CardEventType;

use super::card::{HOLDER, page};
use crate::AppState;
use crate::api::cards::events::{CardEventBody, record};
use crate::api::ecard::close::close_account;
use crate::api::ecard::view::load;
use crate::http::ApiError;
use crate::web::flash;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::session::{SESSION_COOKIE, set_cookie};
use crate::web::visitor::Posted;

/// `POST /web/ecard/card/lost` (`lost.confirm=yes`)
pub async fn lost(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    card_event(&app, p, CardEventType::Lost, "lost").await
}

/// `POST /web/ecard/card/replace` (`replaced.confirm=yes`)
pub async fn replace(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    card_event(&app, p, CardEventType::Replaced, "replaced").await
}

async fn card_event(
    app: &AppState,
    p: Posted,
    kind: CardEventType,
    form: &str,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(HOLDER)?;
    let result = if p.fields.get(&format!("{form}.confirm")) != "yes" {
        Err(confirm_first())
    } else {
        let e = load(app, caller).await?;
        let number = e
            .card
            .map(|c| c.card_number.to_string())
            .ok_or(ApiError::NotFound)?;
        let req = CardEventBody {
            kind,
            courier: None,
            tracking_number: None,
            note: None,
            chip_serial: None,
            bank_account: None,
        };
        record(app, caller, None, &number, req).await.map(|_| ())
    };
    match result {
        Ok(()) => Ok(Redirect::to(&flash::done("/web/ecard", form)).into_response()),
        Err(e) => failed(app, p, e, form).await,
    }
}

/// `POST /web/ecard/close` (`close.confirm=yes`): the account closes, its
/// sessions end, and the visitor is back at the sign-in page.
pub async fn close(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(HOLDER)?;
    if p.fields.get("close.confirm") != "yes" {
        return failed(&app, p, confirm_first(), "close").await;
    }
    let holder = crate::api::ecard::own_holder(&app, caller).await?;
    close_account(&app, caller, &holder.id).await?;
    let to = flash::done("/web/sign-in", "account_closed");
    let mut response = Redirect::to(&to).into_response();
    let c = set_cookie(SESSION_COOKIE, "", None, p.visitor.secure);
    response.headers_mut().append(SET_COOKIE, c);
    Ok(response)
}

fn confirm_first() -> ApiError {
    ApiError::invalid("confirm", "confirm_required", "tick the box to confirm")
}

/// The e-card page again, the problem at the form it came from.
async fn failed(app: &AppState, p: Posted, e: ApiError, form: &str) -> Result<Response, PageError> {
    let problems = Problems::from_api(&p.visitor, e)?.prefixed(form);
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    page(app, &p.visitor, false, &problems, &p.fields, status).await
}
