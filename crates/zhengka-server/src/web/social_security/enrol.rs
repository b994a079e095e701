//! Enrol a permit holder: permit number or the pasted Notice QR, the name as
//! on the permit, the start date. All five insurances are opened; the over-age
//! exclusions are the system's (shown on the account page that follows).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::social_security::InsuranceKind;

use super::OFFICER;
use crate::AppState;
use crate::api::social_security::enrol::{Enrolment, record};
use crate::http::{ApiError, parse_json};
use crate::web::flash;
use crate::web::form::{Problems, at_field, to_json};
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

#[derive(Deserialize)]
pub struct Prefill {
    permit_number: Option<String>,
}

/// `GET /web/social-security/enrol[?permit_number=]` (from the 30-day queue).
pub async fn form(v: Visitor, Query(q): Query<Prefill>) -> Result<Response, PageError> {
    v.require(OFFICER)?;
    let values: Value = q
        .permit_number
        .map(|n| ("permit_number".to_owned(), n))
        .into_iter()
        .collect();
    page(&v, values, &Problems::default(), StatusCode::OK)
}

fn page(
    v: &Visitor,
    values: Value,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let insurances: Vec<_> = InsuranceKind::ALL.iter().map(|k| k.as_str()).collect();
    let ctx = context! {
        section => "enrol",
        insurances => insurances,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "ss_enrol.html", ctx)
}

/// `POST /web/social-security/enrol`
pub async fn enrol(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    let parsed: Result<Enrolment, ApiError> = parse_json(to_json(&p.fields).to_string().as_bytes());
    let result = match parsed {
        Ok(req) => record(&app, caller, None, req).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((account, _)) => {
            let to = format!("/web/social-security/accounts/{}", account.id);
            Ok(Redirect::to(&flash::done(&to, "enrolled")).into_response())
        }
        Err(e) => {
            // An unknown permit is said at the field that named it.
            let field = if p.fields.get("notice_qr").trim().is_empty() {
                "permit_number"
            } else {
                "notice_qr"
            };
            let problems = Problems::from_api(&p.visitor, at_field(e, field))?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&p.visitor, p.fields.shown(), &problems, status)
        }
    }
}
