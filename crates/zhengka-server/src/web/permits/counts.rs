//! The employer's dashboard counts: what waits for the employer to act,
//! each a link to the list filtered to it.

use minijinja::{Value, context};
use zhengka_domain::permits::application::ApplicationStatus;

use crate::AppState;
use crate::api::permits::applications::list::{ListQuery, find};
use crate::auth::Caller;
use crate::http::ApiError;

/// The statuses in which the next step is the employer's, most urgent first.
const ACTION: [ApplicationStatus; 2] = [
    ApplicationStatus::ReturnedForUpdate,
    ApplicationStatus::Draft,
];

/// One count per status that needs the employer, with its list's address.
pub async fn needs_action(app: &AppState, caller: &Caller) -> Result<Vec<Value>, ApiError> {
    let mut counts = Vec::with_capacity(ACTION.len());
    for status in ACTION {
        let q = ListQuery {
            status: Some(status.as_str().to_owned()),
            limit: Some(1),
            ..ListQuery::default()
        };
        let total = find(app, caller, &q).await?.total;
        counts.push(context! {
            status => status.as_str(),
            count => total,
            href => format!("/web/applications?status={}", status.as_str()),
        });
    }
    Ok(counts)
}
