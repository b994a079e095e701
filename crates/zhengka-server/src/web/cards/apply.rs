//! Apply for a holder's card: by SSN or permit number, delivered to an address
//! or collected at the service hall, with the cooperating bank.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde_json::json;

use super::{OFFICER, at_holder, put_holder};
use crate::AppState;
use crate::api::cards::apply::{Application, record};
use crate::http::{ApiError, parse_json};
use crate::web::flash;
use crate::web::form::{Problems, to_json};
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Posted, Visitor};

/// `GET /web/cards/new`
pub async fn form(v: Visitor) -> Result<Response, PageError> {
    v.require(OFFICER)?;
    let values = context! { handover => "delivery" };
    page(&v, values, &Problems::default(), StatusCode::OK)
}

fn page(
    v: &Visitor,
    values: Value,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = context! {
        section => "card_new",
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "card_apply.html", ctx)
}

/// The API's body from the form: the holder, and either the delivery
/// address or pickup at the service hall.
fn body(fields: &Fields) -> serde_json::Value {
    let mut body = to_json(fields);
    let map = body.as_object_mut().expect("to_json makes an object");
    map.remove("holder");
    let handover = map.remove("handover");
    if handover.as_ref().and_then(|h| h.as_str()) == Some("service_hall") {
        map.remove("delivery");
        map.insert("pickup".into(), json!("service_hall"));
    } else if !map.contains_key("delivery") {
        // Asked for delivery with no address: the API says which part is missing.
        map.insert("delivery".into(), json!({}));
    }
    put_holder(&mut body, fields.get("holder"));
    body
}

/// `POST /web/cards/new`
pub async fn apply(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    let parsed: Result<Application, ApiError> = if p.fields.get("holder").trim().is_empty() {
        Err(ApiError::invalid(
            "holder",
            "required",
            "give the SSN or the permit number",
        ))
    } else {
        parse_json(body(&p.fields).to_string().as_bytes())
    };
    let result = match parsed {
        Ok(req) => record(&app, caller, None, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((card, _)) => {
            let to = format!("/web/cards/{}", card.card_number.as_str());
            Ok(Redirect::to(&flash::done(&to, "applied")).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, at_holder(e))?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&p.visitor, p.fields.shown(), &problems, status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_apis_body() {
        let f = |pairs: &[(&str, &str)]| {
            Fields(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).into(), (*v).into()))
                    .collect(),
            )
        };
        let b = body(&f(&[
            ("holder", "GD0000000000001"),
            ("handover", "service_hall"),
            ("delivery.address", "ignored"),
            ("bank_code", "BOC"),
        ]));
        assert_eq!(
            b,
            json!({ "permit_number": "GD0000000000001", "pickup": "service_hall", "bank_code": "BOC" })
        );
        let b = body(&f(&[("handover", "delivery"), ("delivery.phone", "12345")]));
        assert_eq!(b, json!({ "delivery": { "phone": "12345" } }));
    }
}
