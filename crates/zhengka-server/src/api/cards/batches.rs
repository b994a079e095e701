//! Production batches: the applied cards of the officer's region go to the
//! manufacturer and bank as one file (JSON lines, SHA-256 in the manifest);
//! the return file (card number, chip serial, bank account per line) is applied
//! whole or not at all, with an error per bad line.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;
use zhengka_domain::cards::{
    BatchLine, Card, CardEventType, CardStatus, EventInput, LineError, parse_return_file, record,
};
use zhengka_domain::employer::Role;
use zhengka_domain::events::EventData;
use zhengka_store::{BatchRecord, CardFilter, permits::region_prefix};

use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::ApiPath as Path;
use crate::http::idempotency::IdempotencyKey;

/// A return file of a large batch: 16 MiB.
pub const RESULT_LIMIT: usize = 16 * 1024 * 1024;
/// Cards per batch; the rest wait for the next one.
const BATCH_MAX: i64 = 1000;

fn sha256_hex(bytes: &[u8]) -> String {
    zhengka_store::vault::hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// The batch's manifest: what the manufacturer checks the file against.
pub fn manifest(b: &BatchRecord) -> serde_json::Value {
    json!({
        "format": "zhengka-card-batch/1",
        "batch_id": b.id, "region_code": b.region_code, "card_count": b.card_count,
        "sha256": b.sha256, "created_at": b.created_at, "result_imported_at": b.result_imported_at,
    })
}

/// `POST /api/v1/card-batches`: batch every applied card of the region.
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::CardOfficer])?;
    Ok(make_batch(&app, &caller, key.as_deref()).await?.1)
}

/// Make a batch of the caller's region; shared by the API, pages and CLI.
pub async fn make_batch(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
) -> Result<(BatchRecord, Reply), ApiError> {
    caller.require(&[Role::CardOfficer])?;
    let region = caller.user.region_code.clone().ok_or(ApiError::Forbidden)?;
    let filter = CardFilter {
        region_prefix: Some(region_prefix(&region).to_owned()),
        statuses: vec![CardStatus::Applied],
        limit: BATCH_MAX,
        ..CardFilter::default()
    };
    let mut cards = app.store.list_cards(&filter).await?.items;
    if cards.is_empty() {
        return Err(ApiError::conflict(
            "nothing_to_batch",
            "no applied cards wait for production",
        ));
    }
    let now = Utc::now();
    let id = format!(
        "B{}-{}",
        now.format("%Y%m%d"),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    cards.sort_by(|a, b| a.card_number.cmp(&b.card_number));
    let mut file = Vec::new();
    for card in &mut cards {
        record(
            card,
            CardEventType::Batched,
            EventInput::default(),
            true,
            &caller.user.id,
            now,
        )?;
        card.batch_id = Some(id.clone());
        serde_json::to_writer(&mut file, &BatchLine::of(card))
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        file.push(b'\n');
    }
    let batch = BatchRecord {
        id: id.clone(),
        region_code: region.as_str().to_owned(),
        card_count: cards.len() as i64,
        sha256: sha256_hex(&file),
        created_by: caller.user.id.clone(),
        created_at: now,
        result_imported_at: None,
    };
    let numbers: Vec<&str> = cards.iter().map(|c| c.card_number.as_str()).collect();
    let reply = reply(
        StatusCode::CREATED,
        &json!({ "manifest": manifest(&batch), "cards": numbers }),
    )?;
    let details = json!({ "cards": batch.card_count, "sha256": batch.sha256 });
    let write = audit(
        caller,
        key,
        "card_batch.created",
        ("card_batch", &id),
        details,
        &reply,
    );
    app.store.insert_batch(&batch, &file, &cards, write).await?;
    Ok((batch, reply))
}

/// A batch of the caller's region, with its file.
pub async fn visible_batch(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(BatchRecord, Vec<u8>), ApiError> {
    caller.require(&[Role::CardOfficer])?;
    let (batch, file) = app.store.get_batch(id).await?;
    let region = zhengka_domain::ids::RegionCode::parse(&batch.region_code)
        .map_err(|_| ApiError::NotFound)?;
    if !caller.covers(&region) {
        return Err(ApiError::NotFound);
    }
    Ok((batch, file))
}

/// `GET /api/v1/card-batches/{id}`: the manifest and the batch's cards.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let (batch, _) = visible_batch(&app, &caller, &id).await?;
    let cards = app.store.cards_of_batch(&id).await?;
    let items: Vec<_> = cards
        .iter()
        .map(|c| json!({ "card_number": c.card_number, "status": c.state.status }))
        .collect();
    reply(
        StatusCode::OK,
        &json!({ "manifest": manifest(&batch), "cards": items }),
    )
}

/// `GET /api/v1/card-batches/{id}/file`: the file for the manufacturer and bank.
pub async fn file(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (batch, file) = visible_batch(&app, &caller, &id).await?;
    Ok(file_response(&batch, file))
}

/// The batch file as a download; shared by the API and the pages.
pub fn file_response(batch: &BatchRecord, file: Vec<u8>) -> Response {
    let mut r = file.into_response();
    let h = r.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/x-ndjson"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    if let Ok(v) = HeaderValue::from_str(&batch.sha256) {
        h.insert("x-zhengka-sha256", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.jsonl\"", batch.id)) {
        h.insert("content-disposition", v);
    }
    r
}

/// `POST /api/v1/card-batches/{id}/result`: the return file (JSON lines).
pub async fn result(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.require(&[Role::CardOfficer])?;
    let text = return_file_text(&headers, &body)?;
    match import(&app, &caller, key.as_deref(), &id, text).await? {
        Ok(reply) => Ok(reply.into_response()),
        Err(lines) => Ok(line_errors(lines)),
    }
}

fn return_file_text<'a>(headers: &HeaderMap, body: &'a Bytes) -> Result<&'a str, ApiError> {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !(ct.starts_with("application/x-ndjson")
        || ct.starts_with("application/jsonl")
        || ct.starts_with("text/plain"))
    {
        return Err(ApiError::UnsupportedMediaType);
    }
    std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("invalid_utf8", "the return file is not UTF-8"))
}

/// Apply a return file: all lines or none.
pub async fn import(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    text: &str,
) -> Result<Result<Reply, Vec<LineError>>, ApiError> {
    let (batch, _) = visible_batch(app, caller, id).await?;
    if batch.result_imported_at.is_some() {
        return Err(ApiError::conflict(
            "batch_result_imported",
            "this batch's result was imported already",
        ));
    }
    let mut cards = app.store.cards_of_batch(id).await?;
    let waiting: Vec<_> = cards
        .iter()
        .filter(|c| c.state.status == CardStatus::InProduction)
        .map(|c| c.card_number.clone())
        .collect();
    let lines = match parse_return_file(text, &waiting) {
        Ok(l) => l,
        Err(errors) => return Ok(Err(errors)),
    };
    let now = Utc::now();
    let mut produced: Vec<Card> = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        let Some(pos) = cards.iter().position(|c| c.card_number == line.card_number) else {
            continue;
        };
        let mut card = cards.swap_remove(pos);
        let input = EventInput {
            chip_serial: Some(line.chip_serial),
            bank_account: Some(line.bank_account),
            ..EventInput::default()
        };
        match record(
            &mut card,
            CardEventType::Produced,
            input,
            true,
            &caller.user.id,
            now,
        ) {
            Ok(()) => produced.push(card),
            Err(e) => errors.push(rule_line_error(i + 1, e)),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let numbers: Vec<&str> = produced.iter().map(|c| c.card_number.as_str()).collect();
    let reply = reply(
        StatusCode::OK,
        &json!({ "batch_id": id, "produced": numbers }),
    )?;
    let details = json!({ "produced": produced.len() });
    let mut write = audit(
        caller,
        key,
        "card_batch.result_imported",
        ("card_batch", id),
        details,
        &reply,
    );
    write.events = produced
        .iter()
        .map(|c| {
            crate::events::event(
                &c.elements.issuing_region,
                EventData::CardProduced {
                    card_number: c.card_number.to_string(),
                },
                now,
            )
        })
        .collect();
    app.store.import_batch_result(id, &produced, write).await?;
    Ok(Ok(reply))
}

fn rule_line_error(line: usize, e: zhengka_domain::RuleError) -> LineError {
    match e {
        zhengka_domain::RuleError::Invalid(f) => LineError {
            line,
            field: Some(f.field.to_owned()),
            code: f.error.code.to_owned(),
            message: f.error.message,
        },
        zhengka_domain::RuleError::Conflict { code, message } => LineError {
            line,
            field: None,
            code: code.to_owned(),
            message,
        },
    }
}

/// 422 with the error envelope and every bad line.
fn line_errors(lines: Vec<LineError>) -> Response {
    let body = json!({
        "error": { "code": "invalid_return_file", "message": format!("{} bad line(s); nothing was applied", lines.len()), "field": null },
        "lines": lines,
    });
    (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
}
