//! The holder's live QR and devices, mobile-first. `/web/ecard/qr` makes a
//! device key in the browser (WebCrypto, not extractable), binds it
//! (`POST /web/ecard/devices`, the page's CSRF token in the form), keeps the
//! key and the card credential in IndexedDB and signs a presentation every
//! 10 s (`static/ecard-qr.js`); `static/ecard-sw.js`, served as
//! `/web/ecard/sw.js`, keeps the page working offline. `/web/ecard/devices`
//! lists the devices, each with a button that revokes it. They call the API's
//! own functions (`devices::record`, `current_credential`, `revoke_device`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use zhengka_domain::ecard::{Holder, MAX_DEVICES};
use zhengka_domain::employer::Role;

use super::flash;
use super::render::PageError;
use super::visitor::{Posted, Visitor};
use crate::AppState;
use crate::api::ecard::devices::{self, NewDevice, current_credential, revoke_device};
use crate::api::ecard::own_holder;
use crate::http::ApiError;

const SERVICE_WORKER: &str = include_str!("../../static/ecard-sw.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/ecard/qr", get(qr_page))
        .route("/web/ecard/sw.js", get(service_worker))
        .route("/web/ecard/devices", get(devices_page).post(bind))
        .route("/web/ecard/devices/{id}/credential", get(credential))
        .route("/web/ecard/devices/{id}/revoke", post(revoke))
}

async fn holder(app: &AppState, v: &Visitor) -> Result<Holder, PageError> {
    let caller = v.require(&[Role::Foreigner])?;
    Ok(own_holder(app, caller).await?)
}

/// `GET /web/ecard/qr`: the presentation QR (drawn by the script).
async fn qr_page(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let holder = holder(&app, &v).await?;
    let ctx = context! {
        section => "ecard_qr",
        demo_real_person => super::ecard::demo(&app),
        holder_id => holder.id,
        demo => holder.real_person.source == zhengka_domain::ecard::RealPersonSource::Demo,
    };
    Ok(v.page("ecard_qr.html", ctx)?.into_response())
}

/// `GET /web/ecard/sw.js`: the service worker, at the path that gives it the
/// scope `/web/ecard/`.
async fn service_worker() -> Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        SERVICE_WORKER,
    )
        .into_response()
}

/// `POST /web/ecard/devices` (`csrf`, `public_key`, `name`): the API's answer,
/// as JSON (201 with the device and its card credential, or the error).
/// Asked by ecard-qr.js: without a session a 401, never the sign-in redirect.
async fn bind(State(app): State<AppState>, p: Result<Posted, PageError>) -> Response {
    let p = match p {
        Ok(p) => p,
        Err(e) => return e.for_fetch().into_response(),
    };
    let result = async {
        let caller = p
            .visitor
            .require(&[Role::Foreigner])
            .map_err(|_| ApiError::Forbidden)?;
        let holder = own_holder(&app, caller).await?;
        let req = NewDevice {
            public_key: p.fields.get("public_key").to_owned(),
            name: p.fields.get("name").to_owned(),
        };
        devices::record(&app, caller, &holder, None, req).await
    }
    .await;
    match result {
        Ok((_, reply)) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /web/ecard/devices/{id}/credential`: the device's current card
/// credential, as JSON (409 `device_revoked` once revoked).
async fn credential(State(app): State<AppState>, v: Visitor, Path(id): Path<String>) -> Response {
    let result = async {
        let caller = v
            .require(&[Role::Foreigner])
            .map_err(|_| ApiError::Forbidden)?;
        let holder = own_holder(&app, caller).await?;
        let view = current_credential(&app, &holder, &id).await?;
        crate::api::reply(StatusCode::OK, &view)
    }
    .await;
    match result {
        Ok(reply) => reply.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /web/ecard/devices`: the holder's devices, newest last, each live one
/// with its revoke button.
async fn devices_page(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    let holder = holder(&app, &v).await?;
    let all = devices::devices(&app, &holder).await?;
    let live = all.iter().filter(|d| !d.is_revoked()).count();
    let rows: Vec<Value> = all
        .iter()
        .rev()
        .map(|d| {
            let status = d.credential_status.as_str();
            context! {
                id => d.id,
                name => d.name.as_str(),
                created => d.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                revoked => d.revoked_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
                status => status,
                status_text => v.text(&format!("ecard_devices.status.{status}")),
            }
        })
        .collect();
    let ctx = context! {
        section => "ecard_devices",
        demo_real_person => super::ecard::demo(&app),
        devices => rows,
        live => live,
        max => MAX_DEVICES,
    };
    Ok(v.page("ecard_devices.html", ctx)?.into_response())
}

/// `POST /web/ecard/devices/{id}/revoke`: revoke, then back to the list.
async fn revoke(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Foreigner])?;
    let holder = own_holder(&app, caller).await?;
    revoke_device(&app, caller, &holder, None, &id).await?;
    let to = flash::done("/web/ecard/devices", "device_revoked");
    Ok(Redirect::to(&to).into_response())
}
