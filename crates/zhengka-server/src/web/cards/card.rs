//! One card: every element, the promise, the window minutes, the events, and
//! a form for each event its lifecycle allows next (`transition` decides).
//! Shipping needs courier and tracking number; replacing needs a confirmation
//! and leads to the new card.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use serde_json::json;
use zhengka_domain::cards::{Card, CardEventType, transition};
use zhengka_domain::permits::permit::PermitStatus;

use super::OFFICER;
use crate::AppState;
use crate::api::cards::events::{CardEventBody, record};
use crate::api::cards::{CardView, visible_card};
use crate::http::{ApiError, parse_json};
use crate::web::flash;
use crate::web::form::{Problems, to_json};
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Posted, Visitor};

/// The events an officer records on this page, in the order of the forms.
/// (`batched` and `produced` come from the batches and their return files.)
pub const EVENTS: [CardEventType; 7] = [
    CardEventType::IssuedAtWindow,
    CardEventType::Shipped,
    CardEventType::Delivered,
    CardEventType::Lost,
    CardEventType::Frozen,
    CardEventType::Unfrozen,
    CardEventType::Replaced,
];

/// `GET /web/cards/{number}`
pub async fn show(
    State(app): State<AppState>,
    v: Visitor,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let problems = Problems::default();
    page(
        &app,
        &v,
        &number,
        &problems,
        &Fields(vec![]),
        StatusCode::OK,
    )
    .await
}

/// The card's page, with `problems` at the fields of the form `posted` came from.
pub async fn page(
    app: &AppState,
    v: &Visitor,
    number: &str,
    problems: &Problems,
    posted: &Fields,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let card = visible_card(app, caller, number).await?;
    let permit = app
        .store
        .get_permit(&card.elements.permit_number)
        .await
        .map_err(ApiError::from)?;
    let today = Utc::now().date_naive();
    let view = CardView::of(&card, caller.user.role, today);
    let events: Vec<Value> = card
        .events
        .iter()
        .map(|e| {
            context! {
                at => v.at(e.at),
                ..Value::from_serialize(e)
            }
        })
        .collect();
    let values = context! {
        section => "cards",
        c => Value::from_serialize(&view),
        history => events,
        applied => v.at(card.applied_at),
        nationality => v.nationality(card.elements.nationality.as_str()),
        issuing_region => v.region(view.issuing_region),
        next => next_events(&card, permit.status == PermitStatus::Valid),
        f => context! { values => posted.shown(), ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "card.html", values)
}

/// The events the card's lifecycle allows now.
fn next_events(card: &Card, permit_valid: bool) -> Vec<&'static str> {
    EVENTS
        .into_iter()
        .filter(|e| transition(card.state, *e, &card.handover, permit_valid).is_ok())
        .map(CardEventType::as_str)
        .collect()
}

/// `POST /web/cards/{number}/events`: `type` and that form's fields, named
/// `{type}.{field}` (several forms share a page).
pub async fn event(
    State(app): State<AppState>,
    Path(number): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    let kind = p.fields.get("type").to_owned();
    let mut body = to_json(&p.fields)[kind.as_str()].take();
    if !body.is_object() {
        body = json!({});
    }
    let confirmed = body
        .as_object_mut()
        .and_then(|m| m.remove("confirm"))
        .is_some_and(|c| c == "yes");
    body["type"] = json!(kind);
    let result = if kind == "replaced" && !confirmed {
        Err(ApiError::invalid(
            "confirm",
            "confirm_required",
            "confirm the replacement",
        ))
    } else {
        match parse_json::<CardEventBody>(body.to_string().as_bytes()) {
            Ok(req) => record(&app, caller, None, &number, req).await,
            Err(e) => Err(e),
        }
    };
    match result {
        Ok((card, _)) => {
            // A replacement leads to the new card.
            let shown = card.replaced_by.as_ref().unwrap_or(&card.card_number);
            let to = format!("/web/cards/{}", shown.as_str());
            Ok(Redirect::to(&flash::done(&to, &kind)).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?.prefixed(&kind);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&app, &p.visitor, &number, &problems, &p.fields, status).await
        }
    }
}
