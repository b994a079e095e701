//! `POST /api/v1/verifications/batch`: an offline gate uploads its log. The
//! body (`application/cose`) is a COSE_Sign1 signed by the gate's registered
//! key (`zhengka_credential::gate`): the signature is the gate's
//! authentication; an organisation's API credential may carry it too, and
//! then must be the gate's organisation's. Every entry becomes an offline
//! `verification_log` row of the gate's organisation, all in one transaction
//! with one audit event; a re-upload adds nothing.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::Serialize;
use serde_json::json;
use zhengka_credential::gate::{LogEntry, MAX_BATCH_ENTRIES, SignedBatch, parse_public_key};
use zhengka_domain::employer::Role;
use zhengka_domain::verification::{Gate, Organisation, check_offline_entry};
use zhengka_store::{Audit, StoreError, VerificationEntry, Write};

use crate::AppState;
use crate::api::reply;
use crate::auth::caller::authenticate;
use crate::http::ApiError;

/// The largest body taken (the batch's own limit, and the envelope).
pub const BODY_LIMIT: usize = zhengka_credential::gate::MAX_BATCH_BYTES;

fn unauthorized(code: &'static str, message: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        message: message.into(),
    }
}

fn unknown() -> ApiError {
    ApiError::Missing {
        code: "gate_unknown",
        message: "no gate is registered with this id",
    }
}

/// One bad entry of a batch.
#[derive(Serialize)]
struct EntryError {
    index: usize,
    field: &'static str,
    code: &'static str,
}

pub async fn upload(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let org_of_caller = caller_organisation(&app, &headers).await?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct.starts_with("application/cose") {
        return Err(ApiError::UnsupportedMediaType);
    }
    let batch = SignedBatch::open(&body).map_err(|e| {
        ApiError::bad_request(
            "malformed_batch",
            format!("not a signed gate log batch: {e}"),
        )
    })?;
    let gate = match app.store.get_gate(&batch.gate_id).await {
        Ok(g) => g,
        Err(StoreError::NotFound) => return Err(unknown()),
        Err(e) => return Err(e.into()),
    };
    if org_of_caller.is_some_and(|o| o != gate.organisation_id) {
        return Err(unknown());
    }
    if gate.revoked_at.is_some() {
        return Err(revoked());
    }
    let org = app.store.get_organisation(&gate.organisation_id).await?;
    // Counted before the signature is checked, so nobody can make the server
    // verify signatures for a gate faster than its organisation's limit.
    let now = Utc::now();
    let counted = app
        .store
        .count_attempt(
            &format!("gate-rate:{}", gate.gate_id),
            Duration::seconds(60),
            now,
        )
        .await?;
    if counted.count > i64::from(org.rate_limit_per_minute) {
        let left = (counted.window_ends - now).num_seconds();
        return Err(ApiError::TooManyRequests {
            retry_after_secs: u64::try_from(left).unwrap_or(0).max(1),
        });
    }
    let key = parse_public_key(&gate.public_key)
        .map_err(|_| ApiError::Internal(format!("gate {} has a bad stored key", gate.gate_id)))?;
    if batch.verify(&key).is_err() {
        return Err(unauthorized(
            "bad_signature",
            "the batch is not signed by the gate's registered key",
        ));
    }
    let entries = match checked_entries(&batch, &gate, &org) {
        Ok(e) => e,
        Err(r) => return Ok(*r),
    };
    let w = Write::new(Audit {
        at: Utc::now(),
        actor: format!("gate:{}", gate.gate_id),
        action: "verification.offline_batch",
        entity_type: "gate",
        entity_id: gate.gate_id.clone(),
        details: json!({ "organisation_id": org.id, "entries": entries.len() }),
    });
    let done = match app
        .store
        .record_gate_batch(&gate.gate_id, &entries, w)
        .await
    {
        Ok(d) => d,
        Err(StoreError::NotFound) => return Err(revoked()),
        Err(e) => return Err(e.into()),
    };
    let answer = json!({ "gate_id": gate.gate_id, "received": entries.len(),
                         "new": done.new, "duplicate": done.duplicate });
    Ok(reply(StatusCode::OK, &answer)?.into_response())
}

fn revoked() -> ApiError {
    unauthorized("gate_revoked", "this gate was revoked")
}

/// With an `Authorization` header: the organisation of the API credential
/// (any other caller may not upload for a gate).
async fn caller_organisation(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    if !headers.contains_key(header::AUTHORIZATION) {
        return Ok(None);
    }
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    let caller = authenticate(&parts, app).await?;
    caller.require(&[Role::RelyingParty])?;
    caller
        .organisation_id()
        .map(|o| Some(o.to_owned()))
        .ok_or(ApiError::Forbidden)
}

/// Every entry as a log row, or the 422 answer listing each bad one.
fn checked_entries(
    batch: &SignedBatch,
    gate: &Gate,
    org: &Organisation,
) -> Result<Vec<VerificationEntry>, Box<Response>> {
    let parsed = batch.entries();
    if parsed.is_empty() || parsed.len() > MAX_BATCH_ENTRIES {
        let e = ApiError::invalid(
            "entries",
            "batch_size",
            format!("1 to {MAX_BATCH_ENTRIES} entries per batch"),
        );
        return Err(Box::new(e.into_response()));
    }
    let now = Utc::now();
    let (mut rows, mut errors, mut seen) = (Vec::new(), Vec::new(), HashSet::new());
    for (index, entry) in parsed.into_iter().enumerate() {
        let row = entry
            .map_err(|e| (e.field, e.code))
            .and_then(|e| row(e, gate, org, now, &mut seen));
        match row {
            Ok(r) => rows.push(r),
            Err((field, code)) => errors.push(EntryError { index, field, code }),
        }
    }
    if errors.is_empty() {
        return Ok(rows);
    }
    let body = json!({
        "error": { "code": "invalid_batch", "message": format!("{} bad entr(ies); nothing was recorded", errors.len()), "field": null },
        "lines": errors,
    });
    Err(Box::new(
        (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response(),
    ))
}

fn row(
    e: LogEntry,
    gate: &Gate,
    org: &Organisation,
    now: chrono::DateTime<Utc>,
    seen: &mut HashSet<String>,
) -> Result<VerificationEntry, (&'static str, &'static str)> {
    let at = check_offline_entry(&e.purpose, e.at, &org.purposes, now)?;
    if !seen.insert(e.id.clone()) {
        return Err(("id", "duplicate_entry"));
    }
    Ok(VerificationEntry {
        id: e.id,
        at,
        permit_number: e.permit_number,
        organisation_id: Some(org.id.clone()),
        organisation_name: org.name.clone(),
        verifier: format!("gate:{}", gate.gate_id),
        purpose: e.purpose,
        credential_kind: e.credential_kind,
        result: e.result,
        reason: e.reason,
        offline: true,
    })
}
