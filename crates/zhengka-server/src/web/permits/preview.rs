//! The live A/B/C points preview of the application form: the domain's
//! `classify_form` on what has been typed so far.

use axum::Json;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::form::{Contract, ScoringAnswers};
use zhengka_domain::permits::application::{ApplicationForm, ApplicationKind, classify_form};
use zhengka_domain::permits::scoring::Classification;

use crate::AppState;
use crate::web::form::to_json;
use crate::web::render::PageError;
use crate::web::visitor::Posted;

/// `POST /web/applications/preview` (the form's fields, with its CSRF token):
/// one sentence for the form's live region. Asked by app.js: without a
/// session a bare 401, never the sign-in redirect.
pub async fn preview(
    State(app): State<AppState>,
    p: Result<Posted, PageError>,
) -> Result<Json<Value>, PageError> {
    let p = p.map_err(PageError::for_fetch)?;
    let v = &p.visitor;
    v.require(&[Role::EmployerAgent])
        .map_err(PageError::for_fetch)?;
    let today = Utc::now().date_naive();
    let text = match classify_partial(&to_json(&p.fields), &app, today) {
        Some(c) => {
            let basis = serde_json::to_value(c.basis).unwrap_or_default();
            let basis = v.text(&format!("basis.{}", basis.as_str().unwrap_or("default")));
            v.text("preview.result")
                .replace("{class}", &format!("{:?}", c.class))
                .replace("{total}", &c.score.total.to_string())
                .replace("{basis}", &basis)
        }
        None => v.text("preview.incomplete"),
    };
    Ok(Json(json!({ "text": text })))
}

/// Classify a form still being filled in: the contract dates do not score, so
/// missing ones are taken as today; numbers not yet typed count as 0.
pub fn classify_partial(form: &Value, app: &AppState, today: NaiveDate) -> Option<Classification> {
    let mut contract = form.get("contract")?.clone();
    for date in ["start_date", "end_date"] {
        if contract.get(date).is_none() {
            contract[date] = json!(today);
        }
    }
    let mut scoring = form.get("scoring")?.clone();
    for number in ["related_experience_years", "months_per_year_in_china"] {
        if scoring.get(number).is_none() {
            scoring[number] = json!(0);
        }
    }
    let contract: Contract = serde_json::from_value(contract).ok()?;
    let scoring: ScoringAnswers = serde_json::from_value(scoring).ok()?;
    let date_of_birth: NaiveDate =
        serde_json::from_value(form.get("foreigner")?.get("date_of_birth")?.clone()).ok()?;
    let form = ApplicationForm {
        kind: ApplicationKind::NewFromAbroad,
        foreigner: None,
        position: None,
        contract: Some(contract),
        scoring: Some(scoring),
        permit_number: None,
        short_term: None,
        change: None,
        cancellation: None,
        original_notice: None,
        materials: vec![],
    };
    classify_form(&form, date_of_birth, &app.config.policy, today)
        .ok()
        .flatten()
}
