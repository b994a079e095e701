//! `POST /web/cards/search`: `q` is a card number, an SSN, a permit number or a
//! name. A number names one holder: their newest card opens. A name lists the
//! region's cards whose holder name contains it (names exist only sealed, so
//! the newest cards of the region are read and compared). Posted, so an SSN
//! stays out of addresses and history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::{Value, context};
use zhengka_domain::cards::{Card, CardNumber};
use zhengka_domain::ids::PassportName;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_domain::social_security::Ssn;
use zhengka_store::{CardFilter, StoreError, permits::region_prefix};

use super::OFFICER;
use super::queue::row;
use crate::AppState;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

/// How many of the region's newest cards a name search reads.
const NAME_SCAN: i64 = 2000;

pub async fn search(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    let q = p.fields.get("q").trim().to_owned();
    if q.is_empty() {
        return Ok(Redirect::to("/web/cards").into_response());
    }
    match lookup(&app, caller, &q).await {
        Ok(Found::One(card)) => {
            Ok(Redirect::to(&format!("/web/cards/{}", card.card_number)).into_response())
        }
        Ok(Found::Many(cards)) if !cards.is_empty() => {
            let today = Utc::now().date_naive();
            let rows: Vec<Value> = cards.iter().map(|c| row(c, today)).collect();
            render(&p.visitor, &p, rows, &Problems::default(), StatusCode::OK)
        }
        Ok(_) | Err(ApiError::NotFound) => {
            let e = ApiError::invalid("q", "no_card_found", "no card matches");
            let problems = Problems::from_api(&p.visitor, e)?;
            render(
                &p.visitor,
                &p,
                vec![],
                &problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e.into()),
    }
}

enum Found {
    One(Box<Card>),
    Many(Vec<Card>),
}

async fn lookup(app: &AppState, caller: &Caller, q: &str) -> Result<Found, ApiError> {
    if let Ok(n) = CardNumber::parse(q) {
        let card = app.store.get_card(&n).await?;
        caller.may_see(&card.employer_id, &card.elements.issuing_region)?;
        return Ok(Found::One(Box::new(card)));
    }
    let account = if let Ok(ssn) = Ssn::parse(q) {
        Some(app.store.account_by_ssn(&ssn).await)
    } else if let Ok(n) = PermitNumber::parse(q) {
        Some(app.store.account_for_permit(&n).await)
    } else {
        None
    };
    match account {
        Some(Ok(a)) => {
            caller.may_see(&a.employer_id, &a.region_code)?;
            let newest = app.store.cards_of_account(&a.id).await?.into_iter().next();
            newest
                .map(|c| Found::One(Box::new(c)))
                .ok_or(ApiError::NotFound)
        }
        Some(Err(StoreError::NotFound)) => Err(ApiError::NotFound),
        Some(Err(e)) => Err(e.into()),
        None => by_name(app, caller, q).await.map(Found::Many),
    }
}

async fn by_name(app: &AppState, caller: &Caller, q: &str) -> Result<Vec<Card>, ApiError> {
    let Ok(name) = PassportName::parse(q) else {
        return Ok(vec![]);
    };
    let region = caller
        .user
        .region_code
        .as_ref()
        .ok_or(ApiError::Forbidden)?;
    let filter = CardFilter {
        region_prefix: Some(region_prefix(region).to_owned()),
        limit: NAME_SCAN,
        ..CardFilter::default()
    };
    let cards = app.store.list_cards(&filter).await?.items;
    Ok(cards
        .into_iter()
        .filter(|c| c.elements.holder_name.as_str().contains(name.as_str()))
        .collect())
}

fn render(
    v: &Visitor,
    p: &Posted,
    rows: Vec<Value>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let statuses: Vec<_> = zhengka_domain::cards::CardStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    let ctx = context! {
        section => "cards",
        rows => rows,
        statuses => statuses,
        searched => true,
        f => context! { values => p.fields.shown(), ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "card_queue.html", ctx)
}
