//! A relying party's offline gates (admin): registered with the public key
//! that signs their log uploads (`ALG:hex`, as `zhengka gate keygen` and
//! `keys export-public` print keys), listed, revoked.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_credential::gate::{parse_public_key, public_key_text};
use zhengka_domain::InvalidValue;
use zhengka_domain::employer::Role;
use zhengka_domain::verification::{GateInput, check_gate};
use zhengka_store::{Audit, StoreError, Write};

use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::Caller;
use crate::http::{ApiError, ApiPath, JsonBody, invalid_at};

fn write(
    caller: &Caller,
    action: &'static str,
    gate_id: &str,
    details: serde_json::Value,
) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action,
        entity_type: "gate",
        entity_id: gate_id.to_owned(),
        details,
    })
}

async fn organisation_exists(app: &AppState, id: &str) -> Result<(), ApiError> {
    match app.store.get_organisation(id).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::Missing {
            code: "relying_party_not_found",
            message: "no such relying party",
        }),
        Err(e) => Err(e.into()),
    }
}

pub async fn register(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    organisation_exists(&app, &id).await?;
    let input: GateInput = body.parse()?;
    // Stored in its canonical text, so what is shown is what verifies.
    let key = parse_public_key(&input.public_key).map_err(|_| {
        invalid_at(
            "public_key",
            InvalidValue::new(
                "invalid_public_key",
                "ALG:hex of a public key (EdDSA, ES256 or SM2-SM3)",
            ),
        )
    })?;
    let gate = check_gate(&input, &id, public_key_text(&key), Utc::now())
        .map_err(|(f, e)| invalid_at(f, e))?;
    let w = write(
        &caller,
        "gate.registered",
        &gate.gate_id,
        json!({ "organisation_id": id, "alg": key.alg().name() }),
    );
    match app.store.insert_gate(&gate, w).await {
        Ok(()) => reply(StatusCode::CREATED, &gate),
        Err(StoreError::Conflict { .. }) => Err(ApiError::Conflict {
            code: "gate_exists",
            message: "a gate with this id is registered".into(),
            field: Some("gate_id"),
        }),
        Err(e) => Err(e.into()),
    }
}

pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    organisation_exists(&app, &id).await?;
    let items = app.store.gates_of(&id).await?;
    reply(
        StatusCode::OK,
        &json!({ "items": items, "next_cursor": null }),
    )
}

pub async fn revoke(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath((id, gate_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Admin])?;
    let w = write(
        &caller,
        "gate.revoked",
        &gate_id,
        json!({ "organisation_id": id }),
    );
    match app.store.revoke_gate(&id, &gate_id, Utc::now(), w).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::NotFound) => Err(ApiError::Missing {
            code: "gate_not_found",
            message: "no such live gate of this relying party",
        }),
        Err(e) => Err(e.into()),
    }
}
