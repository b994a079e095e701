//! `GET /web/ecard`: the holder's e-card. The permit as on its record (a
//! suspended permit says so first), the on-site check deadline, insurance and
//! the SSN (masked; in full only once the holder taps "show", which asks for
//! `?show=ssn`), the physical card with its tracking and the loss report or
//! replacement, the Notices to download, the on-site Decision, and closing
//! the account. `GET /web/ecard/notices/{application_id}.pdf`: a Notice.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse as _;
use axum::response::Response;
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::cards::{Card, CardEventType, transition};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::{OnsiteCheck, Permit, PermitStatus};

use super::demo;
use crate::AppState;
use crate::api::cards::CardView;
use crate::api::cards::holder::holder_may;
use crate::api::ecard::notices::{NoticeItem, own_notice_pdf, own_notices, pdf_response};
use crate::api::ecard::view::{Ecard, load};
use crate::api::social_security::AccountView;
use crate::http::ApiError;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Visitor};

pub const HOLDER: &[Role] = &[Role::Foreigner];

#[derive(Deserialize)]
pub struct Show {
    show: Option<String>,
}

/// `GET /web/ecard`
pub async fn show(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<Show>,
) -> Result<Response, PageError> {
    let reveal = q.show.as_deref() == Some("ssn");
    page(
        &app,
        &v,
        reveal,
        &Problems::default(),
        &Fields(vec![]),
        StatusCode::OK,
    )
    .await
}

/// The e-card page, with `problems` at the fields of the form `posted` came from.
pub async fn page(
    app: &AppState,
    v: &Visitor,
    reveal: bool,
    problems: &Problems,
    posted: &Fields,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(HOLDER)?;
    let e = load(app, caller).await?;
    let employer = app
        .store
        .get_employer(&e.permit.employer_id)
        .await
        .map_err(ApiError::from)?;
    let notices = own_notices(app, caller).await?;
    let notices: Vec<Value> = notices
        .iter()
        .filter_map(NoticeItem::of)
        // The day the Notice was issued names it in the list.
        .map(|n| context! { date => n.issued_at[..10].to_owned(), ..Value::from_serialize(&n) })
        .collect();
    let values = context! {
        section => "ecard",
        demo_real_person => demo(app),
        holder_id => e.holder.id.clone(),
        permit => permit(&e.permit, Value::from_serialize(&employer.name)),
        onsite => onsite(&e.permit),
        account => account(&e, reveal),
        card => e.card.as_ref().map(|c| card(c, e.permit.status == PermitStatus::Valid)),
        notices => notices,
        f => context! { values => posted.shown(), ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "ecard.html", values)
}

fn permit(p: &Permit, employer: Value) -> Value {
    context! {
        number => p.permit_number.as_str(),
        name => p.holder_name.as_str(),
        class => Value::from_serialize(p.class),
        position => Value::from_serialize(&p.position),
        employer => employer,
        valid_from => p.valid_from.to_string(),
        valid_to => p.valid_to.to_string(),
        status => p.status.as_str(),
    }
}

/// The on-site check of a class B or C holder from abroad: when it is due,
/// or the Decision that closed it.
fn onsite(p: &Permit) -> Value {
    match &p.onsite {
        OnsiteCheck::NotRequired => context! { state => "not_required" },
        OnsiteCheck::AwaitingEntry => context! { state => "awaiting_entry" },
        OnsiteCheck::Due { due_by, .. } => {
            context! { state => "due", due_by => due_by.to_string() }
        }
        OnsiteCheck::Done {
            checked_on,
            decision_number,
            ..
        } => context! {
            state => "done",
            checked_on => checked_on.to_string(),
            decision_number => decision_number.clone(),
        },
    }
}

fn account(e: &Ecard, reveal: bool) -> Option<Value> {
    let a = e.account.as_ref()?;
    // Masked as for an employer, unless the holder asked to see it.
    let view = AccountView::of(a, Role::EmployerAgent);
    let ssn = if reveal {
        a.ssn.expose().to_owned()
    } else {
        view.ssn.clone()
    };
    Some(context! { ssn => ssn, revealed => reveal, ..Value::from_serialize(&view) })
}

fn card(c: &Card, permit_valid: bool) -> Value {
    let today = Utc::now().date_naive();
    let view = CardView::of(c, Role::EmployerAgent, today);
    let shipped = c
        .events
        .iter()
        .rev()
        .find(|e| e.kind == CardEventType::Shipped);
    let allowed = |kind| {
        transition(c.state, kind, &c.handover, permit_valid).is_ok() && holder_may(c, kind).is_ok()
    };
    context! {
        may_report_lost => allowed(CardEventType::Lost),
        may_replace => allowed(CardEventType::Replaced),
        courier => shipped.and_then(|e| e.courier.clone()),
        tracking_number => shipped.and_then(|e| e.tracking_number.clone()),
        ..Value::from_serialize(&view)
    }
}

/// `GET /web/ecard/notices/{application_id}.pdf`
pub async fn notice(
    State(app): State<AppState>,
    v: Visitor,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let caller = v.require(HOLDER)?;
    let id = file.strip_suffix(".pdf").ok_or(ApiError::NotFound)?;
    let pdf = own_notice_pdf(&app, caller, id).await?;
    Ok(pdf_response(id, pdf))
}

/// `GET /web/ecard/decision.pdf`: the on-site Decision, once checked.
pub async fn decision(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let caller = v.require(HOLDER)?;
    let pdf = crate::api::ecard::notices::own_decision_pdf(&app, caller).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/pdf"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"onsite-decision.pdf\"",
            ),
        ],
        pdf,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use minijinja::context;

    use crate::web::render::render;

    fn ecard(status: &str, onsite: minijinja::Value) -> String {
        let ctx = context! {
            lang => "en", csrf => "x", path => "/web/ecard", demo_real_person => true,
            permit => context! { number => "GD1", name => "A B", class => "B", position => "P",
                                 employer => "E", valid_from => "2026-01-01",
                                 valid_to => "2027-01-01", status => status },
            onsite => onsite, notices => Vec::<minijinja::Value>::new(),
            f => context! { values => context! {}, errors => context! {} },
        };
        render("ecard.html", ctx).unwrap().0
    }

    #[test]
    fn a_suspended_permit_says_so_first_and_the_deadline_shows() {
        let html = ecard(
            "suspended",
            context! { state => "due", due_by => "2026-02-01" },
        );
        let alert = html
            .find("id=\"permit-state\"")
            .expect("the state is shown");
        assert!(
            alert < html.find("id=\"permit\"").unwrap(),
            "before the permit"
        );
        assert!(html.contains("Your permit is Suspended"));
        assert!(html.contains("id=\"onsite-due\"") && html.contains("2026-02-01"));
        assert!(html.contains("id=\"demo-real-person\""));
        let html = ecard("valid", context! { state => "not_required" });
        assert!(!html.contains("id=\"permit-state\"") && !html.contains("onsite-"));
    }
}
