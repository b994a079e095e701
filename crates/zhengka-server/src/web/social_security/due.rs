//! The 30-day registration queue: valid permits of the region without a
//! social security account, overdue first, with the days left.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use super::OFFICER;
use crate::AppState;
use crate::api::social_security::accounts::due_registrations;
use crate::web::render::PageError;
use crate::web::visitor::Visitor;

/// `GET /web/social-security/due`
pub async fn queue(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let due = due_registrations(&app, caller, 100).await?;
    let rows: Vec<Value> = due
        .iter()
        .map(|d| {
            context! {
                permit_number => d.permit_number.clone(),
                holder => d.holder_name.clone(),
                valid_from => d.valid_from.to_string(),
                due_on => d.due.due_on.to_string(),
                days_left => d.due.days_left,
                overdue => d.due.overdue,
            }
        })
        .collect();
    let values = context! { section => "due", rows => rows };
    Ok(v.page("ss_due.html", values)?.into_response())
}
