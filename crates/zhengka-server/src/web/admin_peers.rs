//! The admin's federation page, `/web/admin/peers`: the peer regions this
//! deployment pins by their trust anchor, when their lists were last fetched
//! and the last error, pinning one, refreshing one now and removing one.
//! Small on purpose: the API is the primary interface; these call its own
//! `pin`, `refresh_now` and `unpin`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use zhengka_credential::parse_anchor;
use zhengka_domain::employer::Role;
use zhengka_domain::verification::PeerInput;
use zhengka_store::PeerState;
use zhengka_store::vault::hex;

use super::form::{Problems, said};
use super::render::PageError;
use super::visitor::{Fields, Posted, Visitor};
use crate::AppState;
use crate::api::verification::federation::{peers_with_lists, pin, refresh_now, unpin};
use crate::http::ApiError;

const PAGE: &str = "/web/admin/peers";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PAGE, get(show).post(create))
        .route("/web/admin/peers/{id}/refresh", post(refresh_one))
        .route("/web/admin/peers/{id}/remove", post(remove_one))
}

/// A kept last error (`code: message`) as words.
fn kept_error(v: &Visitor, text: &str) -> String {
    match text.split_once(": ") {
        Some((code, message)) => said(v, code, message.to_owned()),
        None => text.to_owned(),
    }
}

/// The anchor as the peer's own keys page shows it: algorithm and key id.
fn anchor_of(text: &str) -> (String, String) {
    match parse_anchor(text) {
        Ok(key) => (key.alg().name().to_owned(), hex(&key.kid().0)),
        Err(_) => (String::new(), text.chars().take(16).collect()),
    }
}

fn row(v: &Visitor, s: &PeerState, lists: usize) -> Value {
    let p = &s.peer;
    let (alg, kid) = anchor_of(&p.anchor);
    // The error is current only if no fetch succeeded after it.
    let error = s
        .last_error
        .as_ref()
        .filter(|(_, at)| s.fetched_at.is_none_or(|f| f <= *at));
    context! {
        id => p.id.clone(),
        name => p.name.clone(),
        region => v.region(p.region_code.as_str()),
        region_code => p.region_code.as_str(),
        url => p.url.clone(),
        alg => alg,
        kid => kid,
        fetched => s.fetched_at.map(|t| v.at(t)),
        error => error.map(|(e, _)| kept_error(v, e)),
        error_at => error.map(|(_, at)| v.at(*at)),
        seq => s.trust_list.as_ref().map(|t| t.1),
        lists => lists,
    }
}

/// The page, with a refresh's refusal (`refused`) or the problems of the form.
async fn page(
    app: &AppState,
    v: &Visitor,
    values: Value,
    refused: Option<Value>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    v.require(&[Role::Admin])?;
    let peers = peers_with_lists(app.store.as_ref())
        .await
        .map_err(ApiError::from)?;
    let rows: Vec<Value> = peers.iter().map(|(s, l)| row(v, s, l.len())).collect();
    let ctx = context! {
        section => "peers",
        peers => rows,
        own_region => v.region(app.credentials.region()),
        refused => refused,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    Ok((status, v.page("admin_peers.html", ctx)?).into_response())
}

/// `GET /web/admin/peers`
async fn show(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let none = Problems::default();
    page(&app, &v, context! {}, None, &none, StatusCode::OK).await
}

/// The API's create body from the form; empty optional fields are absent.
fn input(f: &Fields) -> Result<PeerInput, ApiError> {
    let optional = |name: &str| Some(f.get(name).trim()).filter(|s| !s.is_empty());
    let max_age_seconds = optional("max_age_seconds")
        .map(|s| {
            s.parse().map_err(|_| {
                ApiError::invalid(
                    "max_age_seconds",
                    "invalid_number",
                    "a whole number of seconds",
                )
            })
        })
        .transpose()?;
    Ok(PeerInput {
        region_code: f.get("region_code").trim().to_owned(),
        name: f.get("name").to_owned(),
        anchor: f.get("anchor").to_owned(),
        url: optional("url").map(str::to_owned),
        max_age_seconds,
    })
}

/// `POST /web/admin/peers`: pin a peer (its lists fetched at once if it has
/// a URL; a failure shows as its last error in the list).
async fn create(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    let result = match input(&p.fields) {
        Ok(i) => pin(&app, caller, &i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => {
            let to = format!("{PAGE}?done=peer_pinned#peer-{}", s.peer.id);
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let values = p.fields.shown();
            page(&app, &p.visitor, values, None, &problems, status).await
        }
    }
}

/// `POST /web/admin/peers/{id}/refresh`: fetch now. A refusal (the peer
/// unreachable, a list not verified) is shown on the page with the API's
/// status; the kept lists stay as they were.
async fn refresh_one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    let e = match refresh_now(&app, caller, &id).await {
        Ok(s) => {
            let to = format!("{PAGE}?done=peer_refreshed#peer-{}", s.peer.id);
            return Ok(Redirect::to(&to).into_response());
        }
        Err(e) => e,
    };
    let status = e.status();
    let (code, message) = match &e {
        ApiError::Unavailable { code, message } => (*code, message.to_string()),
        ApiError::Conflict { code, message, .. } => (*code, message.clone()),
        _ => return Err(e.into()),
    };
    let v = &p.visitor;
    let refused = context! { id => id, code => code, text => said(v, code, message) };
    let none = Problems::default();
    page(&app, v, context! {}, Some(refused), &none, status).await
}

/// `POST /web/admin/peers/{id}/remove`: its credentials stop verifying here
/// at once.
async fn remove_one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    unpin(&app, caller, &id).await?;
    Ok(Redirect::to(&format!("{PAGE}?done=peer_removed")).into_response())
}
