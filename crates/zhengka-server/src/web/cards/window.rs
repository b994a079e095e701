//! Window issuance in one flow: the card is applied for with pickup at the
//! service hall and personalised and handed over at once (`issued_at_window`),
//! the minutes it took shown on the card's page (seed 001: under 20).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde_json::json;

use super::{OFFICER, at_holder, card, put_holder};
use crate::AppState;
use crate::api::cards::apply::{self, Application};
use crate::api::cards::events::{self, CardEventBody};
use crate::http::{ApiError, parse_json};
use crate::web::flash;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Posted, Visitor};

/// `GET /web/cards/window`
pub async fn form(v: Visitor) -> Result<Response, PageError> {
    v.require(OFFICER)?;
    page(&v, Value::from(()), &Problems::default(), StatusCode::OK)
}

fn page(
    v: &Visitor,
    values: Value,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = context! {
        section => "window",
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "card_window.html", ctx)
}

/// Both bodies, parsed before anything is written: the application and the
/// window event with the chip and the bank account.
fn parse(fields: &Fields) -> Result<(Application, CardEventBody), ApiError> {
    let text = |name: &str| {
        let v = fields.get(name).trim();
        (!v.is_empty()).then(|| v.to_owned())
    };
    if text("holder").is_none() {
        return Err(ApiError::invalid(
            "holder",
            "required",
            "give the SSN or the permit number",
        ));
    }
    let mut application = json!({ "pickup": "service_hall", "bank_code": text("bank_code") });
    put_holder(&mut application, fields.get("holder"));
    let application: Application = parse_json(application.to_string().as_bytes())?;
    let event = json!({ "type": "issued_at_window", "chip_serial": text("chip_serial"),
                        "bank_account": text("bank_account") });
    let event: CardEventBody = parse_json(event.to_string().as_bytes())?;
    Ok((application, event))
}

/// `POST /web/cards/window`
pub async fn issue(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    let applied = match parse(&p.fields) {
        Ok((application, event)) => apply::record(&app, caller, None, application)
            .await
            .map(|(card, _)| (card, event)),
        Err(e) => Err(e),
    };
    let (card, event) = match applied {
        Ok(done) => done,
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, at_holder(e))?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return page(&p.visitor, p.fields.shown(), &problems, status);
        }
    };
    let number = card.card_number.as_str().to_owned();
    match events::record(&app, caller, None, &number, event).await {
        Ok(_) => {
            let to = format!("/web/cards/{number}");
            Ok(Redirect::to(&flash::done(&to, "issued_at_window")).into_response())
        }
        // Applied but not handed over: the card's page has the window form.
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?.prefixed("issued_at_window");
            let posted = Fields(vec![]);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            card::page(&app, &p.visitor, &number, &problems, &posted, status).await
        }
    }
}
