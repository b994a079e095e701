//! The admin's relying-party page, `/web/admin/relying-parties`: the
//! organisations with their purposes, registering one, issuing an API
//! credential (its token shown once, on the answer only), revoking one, and
//! adding a person who signs in to the verifier page. Small on purpose: the
//! API is the primary interface; these call its own `register`, `issue`,
//! `revoke` and `member`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use zhengka_domain::employer::Role;
use zhengka_domain::verification::{OrganisationInput, Sector, VerificationPurpose};

use super::form::Problems;
use super::render::PageError;
use super::verdict::purpose_in;
use super::visitor::{Fields, Posted, Visitor};
use crate::AppState;
use crate::api::verification::relying_parties::{NewMember, issue, member, register, revoke};
use crate::http::ApiError;

const PAGE: &str = "/web/admin/relying-parties";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PAGE, get(show).post(create))
        .route(
            "/web/admin/relying-parties/{id}/credentials",
            post(issue_one),
        )
        .route(
            "/web/admin/relying-parties/{id}/credentials/{cid}/revoke",
            post(revoke_one),
        )
        .route("/web/admin/relying-parties/{id}/members", post(add_member))
}

/// The sectors an organisation registers under.
fn sectors() -> Vec<&'static str> {
    Sector::ALL
        .into_iter()
        .map(Sector::as_str)
        .chain(["employer"])
        .collect()
}

/// The page, with a token just issued (`issued`) or the problems of a form.
async fn page(
    app: &AppState,
    v: &Visitor,
    values: Value,
    issued: Option<Value>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    v.require(&[Role::Admin])?;
    let orgs = app
        .store
        .list_organisations(1000)
        .await
        .map_err(ApiError::from)?;
    let mut rows = vec![];
    for o in &orgs {
        let credentials = app
            .store
            .credentials_of(&o.id)
            .await
            .map_err(ApiError::from)?;
        let credentials: Vec<Value> = credentials
            .iter()
            .map(|c| {
                context! { id => c.id.clone(), created => v.at(c.created_at),
                revoked => c.revoked_at.map(|t| v.at(t)) }
            })
            .collect();
        let purposes: Vec<String> = o
            .purposes
            .iter()
            .map(|p| purpose_in(v.lang, p.as_str()))
            .collect();
        rows.push(context! {
            id => o.id.clone(),
            name => o.name.clone(),
            sector => o.sector.clone(),
            region => v.region(o.region_code.as_str()),
            purposes => purposes.join("、"),
            rate => o.rate_limit_per_minute,
            credentials => credentials,
        });
    }
    let purposes: Vec<Value> = VerificationPurpose::ALL
        .into_iter()
        .filter(|p| !p.police_only())
        .map(|p| context! { code => p.as_str(), text => purpose_in(v.lang, p.as_str()) })
        .collect();
    let ctx = context! {
        section => "relying_parties",
        organisations => rows,
        sectors => sectors(),
        purposes => purposes,
        issued => issued,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    Ok((status, v.page("admin_relying.html", ctx)?).into_response())
}

/// `GET /web/admin/relying-parties`
async fn show(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    page(
        &app,
        &v,
        context! {},
        None,
        &Problems::default(),
        StatusCode::OK,
    )
    .await
}

fn input(f: &Fields) -> Result<OrganisationInput, ApiError> {
    let rate = f.get("rate_limit_per_minute").trim();
    let rate = if rate.is_empty() {
        600
    } else {
        rate.parse().map_err(|_| {
            ApiError::invalid(
                "rate_limit_per_minute",
                "invalid_number",
                "a whole number of checks per minute",
            )
        })?
    };
    Ok(OrganisationInput {
        name: f.get("name").to_owned(),
        sector: f.get("sector").to_owned(),
        region_code: f.get("region_code").to_owned(),
        purposes: f
            .0
            .iter()
            .filter(|(k, _)| k == "purposes")
            .map(|(_, v)| v.clone())
            .collect(),
        rate_limit_per_minute: rate,
    })
}

/// `POST /web/admin/relying-parties`: register.
async fn create(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    let result = match input(&p.fields) {
        Ok(i) => register(&app, caller, &i).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("{PAGE}?done=relying_party_registered")).into_response()),
        Err(e) => failed(&app, &p, e).await,
    }
}

async fn failed(app: &AppState, p: &Posted, e: ApiError) -> Result<Response, PageError> {
    let problems = Problems::from_api(&p.visitor, e)?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    page(app, &p.visitor, p.fields.shown(), None, &problems, status).await
}

/// `POST …/{id}/credentials`: the token is on this answer only.
async fn issue_one(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    let (credential, token) = issue(&app, caller, &id).await?;
    let issued = context! { organisation_id => id, id => credential.id, token => token };
    let ok = StatusCode::CREATED;
    page(
        &app,
        &p.visitor,
        context! {},
        Some(issued),
        &Problems::default(),
        ok,
    )
    .await
}

/// `POST …/{id}/credentials/{cid}/revoke`
async fn revoke_one(
    State(app): State<AppState>,
    Path((id, cid)): Path<(String, String)>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    revoke(&app, caller, &id, &cid).await?;
    Ok(Redirect::to(&format!("{PAGE}?done=credential_revoked")).into_response())
}

/// `POST …/{id}/members`: username, password.
async fn add_member(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Admin])?;
    let req = NewMember {
        username: p.fields.get("username").to_owned(),
        password: p.fields.get("password").to_owned(),
    };
    match member(&app, caller, &id, req).await {
        Ok(_) => Ok(Redirect::to(&format!("{PAGE}?done=member_added")).into_response()),
        Err(e) => failed(&app, &p, e).await,
    }
}
