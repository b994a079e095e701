//! Production batches: make one of the region's applied cards, download its
//! file (the same bytes as the API's, for a signed-in card officer), and
//! upload the return file: applied whole, or every bad line shown.

use std::collections::BTreeMap;

use axum::extract::multipart::Multipart;
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use zhengka_domain::cards::{CardStatus, LineError};

use super::OFFICER;
use crate::AppState;
use crate::api::cards::batches::{file_response, import, make_batch, manifest, visible_batch};
use crate::api::cards::list::{Asked, find};
use crate::http::ApiError;
use crate::web::flash;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

/// `GET /web/card-batches`: what waits for a batch, and the batches in
/// production (waiting for their return file).
pub async fn list(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    list_page(&app, &v, &Problems::default(), StatusCode::OK).await
}

async fn list_page(
    app: &AppState,
    v: &Visitor,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let count = |status| Asked {
        status: Some(status),
        overdue: false,
        cursor: None,
        limit: 100,
    };
    let (waiting, more) = find(app, caller, &count(CardStatus::Applied)).await?;
    let (making, _) = find(app, caller, &count(CardStatus::InProduction)).await?;
    let mut batches: BTreeMap<String, usize> = BTreeMap::new();
    for c in &making {
        if let Some(b) = &c.batch_id {
            *batches.entry(b.clone()).or_default() += 1;
        }
    }
    let batches: Vec<Value> = batches
        .into_iter()
        .rev()
        .map(|(id, n)| context! { id => id, cards => n })
        .collect();
    let values = context! {
        section => "batches",
        waiting => waiting.len(),
        more => more.is_some(),
        batches => batches,
        ..problems.shown()
    };
    v.page_with(status, "card_batches.html", values)
}

/// `POST /web/card-batches`: batch every applied card of the region.
pub async fn create(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(OFFICER)?;
    match make_batch(&app, caller, None).await {
        Ok((batch, _)) => {
            let to = format!("/web/card-batches/{}", batch.id);
            Ok(Redirect::to(&flash::done(&to, "batch_created")).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            list_page(&app, &p.visitor, &problems, StatusCode::CONFLICT).await
        }
    }
}

/// `GET /web/card-batches/{id}`: the manifest, the cards, the file, the upload.
pub async fn show(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let problems = Problems::default();
    batch_page(&app, &v, &id, &problems, &[], StatusCode::OK).await
}

async fn batch_page(
    app: &AppState,
    v: &Visitor,
    id: &str,
    problems: &Problems,
    lines: &[LineError],
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let (batch, _) = visible_batch(app, caller, id).await?;
    let cards = app.store.cards_of_batch(id).await.map_err(ApiError::from)?;
    let cards: Vec<Value> = cards
        .iter()
        .map(|c| {
            context! {
                number => c.card_number.as_str(),
                holder => c.elements.holder_name.as_str(),
                status => c.state.status.as_str(),
            }
        })
        .collect();
    let values = context! {
        section => "batches",
        manifest => Value::from_serialize(manifest(&batch)),
        manifest_json => serde_json::to_string_pretty(&manifest(&batch)).unwrap_or_default(),
        cards => cards,
        lines => translated(v, lines),
        f => problems.shown(),
        ..problems.shown()
    };
    v.page_with(status, "card_batch.html", values)
}

/// The bad lines, each problem in the visitor's language where the
/// catalogue knows its code.
fn translated(v: &Visitor, lines: &[LineError]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| {
            let text = v.lang.get(&format!("line_error.{}", l.code));
            context! {
                line => l.line,
                field => l.field.clone(),
                code => l.code.clone(),
                message => text.map_or_else(|| l.message.clone(), str::to_owned),
            }
        })
        .collect()
}

/// `GET /web/card-batches/{id}/file`: the file for the manufacturer and bank.
pub async fn file(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let caller = v.require(OFFICER)?;
    let (batch, file) = visible_batch(&app, caller, &id).await?;
    Ok(file_response(&batch, file))
}

/// The upload form's fields: the CSRF token and the file.
async fn read(mut form: Multipart) -> Option<(String, Vec<u8>)> {
    let (mut csrf, mut bytes) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.ok()? {
        match field.name().unwrap_or("") {
            "csrf" => csrf = field.text().await.ok()?,
            "file" => bytes = field.bytes().await.ok()?.to_vec(),
            _ => {}
        }
    }
    Some((csrf, bytes))
}

/// `POST /web/card-batches/{id}/result` (multipart/form-data, CSRF-checked).
pub async fn result(
    State(app): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let (mut parts, body) = req.into_parts();
    let v = Visitor::from_request_parts(&mut parts, &app).await?;
    let caller = v.require(OFFICER)?;
    let bad = || PageError::Status(StatusCode::BAD_REQUEST, "error.request");
    let form = Multipart::from_request(Request::from_parts(parts, body), &app)
        .await
        .map_err(|_| bad())?;
    let (csrf, bytes) = read(form).await.ok_or_else(bad)?;
    if !v.csrf_ok(&csrf) {
        return Err(PageError::Status(StatusCode::FORBIDDEN, "error.csrf"));
    }
    let outcome = match std::str::from_utf8(&bytes) {
        Ok("") => Err(ApiError::invalid(
            "file",
            "empty_file",
            "choose the return file",
        )),
        Ok(text) => import(&app, caller, None, &id, text).await,
        Err(_) => Err(ApiError::invalid(
            "file",
            "invalid_utf8",
            "the return file is not UTF-8",
        )),
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match outcome {
        Ok(Ok(_)) => {
            let to = format!("/web/card-batches/{id}");
            Ok(Redirect::to(&flash::done(&to, "result_imported")).into_response())
        }
        Ok(Err(lines)) => {
            let e = ApiError::invalid("file", "invalid_return_file", "nothing was applied");
            let problems = Problems::from_api(&v, e)?;
            batch_page(&app, &v, &id, &problems, &lines, status).await
        }
        Err(e) => {
            let problems = Problems::from_api(&v, crate::web::form::at_field(e, "file"))?;
            batch_page(&app, &v, &id, &problems, &[], status).await
        }
    }
}
