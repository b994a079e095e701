//! `/web/check`, for anyone (no sign-in): paste, upload or scan a Work Permit
//! Notice QR and learn only whether it is valid and the permit number's last
//! four characters. The check is the API's (`public_check::check`), with its
//! per-address limit: over it, a 429 page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use super::ecard::with_secret;
use super::form::Problems;
use super::render::PageError;
use super::visitor::{PublicPosted, Visitor};
use crate::AppState;
use crate::api::verification::public_check::check;
use crate::http::ApiError;
use crate::http::client::ClientAddress;

/// `GET /web/check`
pub async fn form(mut v: Visitor) -> Response {
    with_secret(&mut v, |v| {
        page(v, None, &Problems::default(), StatusCode::OK)
            .unwrap_or_else(IntoResponse::into_response)
    })
}

/// `POST /web/check`: qr.
pub async fn submit(
    State(app): State<AppState>,
    client: ClientAddress,
    PublicPosted(p): PublicPosted,
) -> Result<Response, PageError> {
    let v = &p.visitor;
    match check(&app, &client, p.fields.get("qr")).await {
        Ok(a) => {
            let answer = context! { valid => a.valid, last4 => a.permit_number_last4 };
            page(v, Some(answer), &Problems::default(), StatusCode::OK)
        }
        Err(ApiError::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            let mut problems = Problems::default();
            let text = v
                .text("check.limited")
                .replace("{minutes}", &minutes.to_string());
            problems.summary.push(("main".into(), text));
            page(v, None, &problems, StatusCode::TOO_MANY_REQUESTS)
        }
        Err(e) => {
            let problems = Problems::from_api(v, e)?;
            page(v, None, &problems, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

fn page(
    v: &Visitor,
    answer: Option<Value>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let ctx = context! {
        section => "check",
        answer => answer,
        f => context! { ..problems.shown() },
        ..problems.shown()
    };
    Ok((status, v.page("check.html", ctx)?).into_response())
}
