//! One application with its full history, for the employer, the officer and
//! the admin; and the table row every list uses.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use minijinja::{Value, context};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::workflow::HistoryAction;
use zhengka_domain::permits::application::{Application, ApplicationStatus, ReviewStep};

use crate::AppState;
use crate::api::permits::applications::load_visible;
use crate::http::ApiError;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Visitor};

/// A list row: who, what, where it stands, and the legal time limit.
pub fn row(v: &Visitor, a: &Application, today: NaiveDate) -> Value {
    // The countdown runs only while the authority holds the application.
    let days_left = a
        .decision_due_on
        .filter(|_| a.status.is_under_review())
        .map(|due| (due - today).num_days());
    context! {
        id => a.id.clone(),
        holder => holder(a),
        kind => a.form.kind.as_str(),
        status => a.status.as_str(),
        class => a.class().map(|c| format!("{c:?}")),
        due => a.decision_due_on.map(|d| d.to_string()),
        days_left => days_left,
        urgent => days_left.is_some_and(|d| d <= 3),
        updated => v.at(a.updated_at),
    }
}

fn holder(a: &Application) -> String {
    match (&a.form.foreigner, &a.permit_number) {
        (Some(f), _) => f.name.to_string(),
        (None, Some(p)) => p.to_string(),
        (None, None) => crate::web::readable::short_ref(&a.id),
    }
}

/// The step an officer decides next, from the status.
pub fn next_step(status: ApplicationStatus) -> Option<ReviewStep> {
    match status {
        ApplicationStatus::Submitted => Some(ReviewStep::Accept),
        ApplicationStatus::Accepted => Some(ReviewStep::PreliminaryReview),
        ApplicationStatus::PreliminaryReviewed => Some(ReviewStep::Approve),
        _ => None,
    }
}

/// `GET /web/applications/{id}`
pub async fn show(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let application = load_visible(&app, caller, &id).await?;
    page(&app, &v, &application, &Problems::default(), StatusCode::OK).await
}

/// The page, with what went wrong with the last action if anything did.
pub async fn page(
    app: &AppState,
    v: &Visitor,
    a: &Application,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    page_posted(app, v, a, problems, &Fields(vec![]), status).await
}

/// The page with a permit form sent back: `posted` are its fields.
pub async fn page_posted(
    app: &AppState,
    v: &Visitor,
    a: &Application,
    problems: &Problems,
    posted: &Fields,
    status: StatusCode,
) -> Result<Response, PageError> {
    let permit = super::permit::panel(app, v, a, posted).await?;
    let materials = super::materials::panel(app, v, a, posted.get("material.kind")).await?;
    let role = v.caller.as_ref().map(|c| c.user.role);
    let today = Utc::now().date_naive();
    let names = actor_names(app, v, a).await?;
    let history: Vec<Value> = a
        .history
        .iter()
        .map(|h| {
            context! {
                at => v.at(h.at),
                actor => names.get(&h.actor).cloned().unwrap_or_default(),
                action => action(h.action),
                step => match h.action { HistoryAction::Decided { step, .. } => Some(name(&step)), _ => None },
                outcome => match h.action { HistoryAction::Decided { outcome, .. } => Some(name(&outcome)), _ => None },
                from => h.from.map(|s| s.as_str()),
                to => h.to.as_str(),
                comment => h.comment.clone(),
            }
        })
        .collect();
    let step = next_step(a.status)
        .filter(|_| role == Some(Role::PermitOfficer))
        .map(|s| name(&s));
    let form = serde_json::to_value(&a.form).unwrap_or_default();
    let shows_notice = matches!(role, Some(Role::EmployerAgent | Role::PermitOfficer));
    let notice = a.notice.as_ref().filter(|_| shows_notice).map(|n| {
        let label = v.text("notice.qr_label").replace("{number}", &n.notice_id);
        context! {
            id => n.notice_id.clone(),
            issued => v.day(n.issued_at),
            svg => crate::web::qr::svg(&n.qr, &label),
            pdf => true,
        }
    });
    let facts = super::facts::facts(app, v, a).await?;
    let values = context! {
        section => if role == Some(Role::PermitOfficer) { "queue" } else { "dashboard" },
        facts => facts,
        decision => posted.shown(),
        a => row(v, a, today),
        readable => context! {
            nationality => a.form.foreigner.as_ref().map(|f| v.nationality(f.nationality.as_str())),
            region => a.form.contract.as_ref().map(|c| v.region(c.work_location_region.as_str())),
        },
        form => form,
        classification => a.classification.as_ref().map(|c| context! {
            class => format!("{:?}", c.class),
            basis => name(&c.basis),
            total => c.score.total,
        }),
        permit_number => a.permit_number.as_ref().map(|p| p.to_string()),
        history => history,
        notice => notice,
        permit => permit,
        materials => materials,
        pf => context! { values => permit.as_ref().and_then(|p| p.get_attr("values").ok()), errors => problems.fields.clone() },
        can_edit => role == Some(Role::EmployerAgent) && a.status.is_editable(),
        step => step,
        ..problems.shown()
    };
    Ok((status, v.page("application.html", values)?).into_response())
}

fn action(a: HistoryAction) -> &'static str {
    match a {
        HistoryAction::Created => "created",
        HistoryAction::Updated => "updated",
        HistoryAction::Submitted => "submitted",
        HistoryAction::Decided { .. } => "decided",
        HistoryAction::CutOver => "cut_over",
    }
}

/// The wire name of a unit enum value (`preliminary_review`).
pub fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The people in the history by their user name (officers by name, never by
/// id); the signed-in person sees "you".
async fn actor_names(
    app: &AppState,
    v: &Visitor,
    a: &Application,
) -> Result<HashMap<String, String>, PageError> {
    let mut names = HashMap::new();
    for h in &a.history {
        if names.contains_key(&h.actor) {
            continue;
        }
        let name = match &v.caller {
            Some(c) if c.user.id == h.actor => v.text("history.you"),
            _ => match app.store.get_user(&h.actor).await {
                Ok(u) => u.username,
                // A system actor (the cut-over job) has no user row.
                Err(zhengka_store::StoreError::NotFound) => h.actor.clone(),
                Err(e) => return Err(ApiError::from(e).into()),
            },
        };
        names.insert(h.actor.clone(), name);
    }
    Ok(names)
}
