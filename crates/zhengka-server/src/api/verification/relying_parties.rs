//! The registry of relying parties (admin): organisations with their sector,
//! region, purposes and rate limit, and their API credentials (the secret
//! shown once, kept hashed, revocable; several live at once, so rotating is
//! "issue a new one, then revoke the old").

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::verification::{ApiCredential, OrganisationInput, check_organisation};
use zhengka_store::{Audit, StoreError, Write};

use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::{Caller, token};
use crate::http::{ApiError, ApiPath, JsonBody, invalid_at};

fn write(caller: &Caller, action: &'static str, id: &str, details: serde_json::Value) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action,
        entity_type: "relying_party",
        entity_id: id.to_owned(),
        details,
    })
}

fn missing() -> ApiError {
    ApiError::Missing {
        code: "relying_party_not_found",
        message: "no such relying party",
    }
}

pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let input: OrganisationInput = body.parse()?;
    let id = uuid::Uuid::new_v4().to_string();
    let o = check_organisation(&input, id, Utc::now()).map_err(|(f, e)| invalid_at(f, e))?;
    let w = write(
        &caller,
        "relying_party.registered",
        &o.id,
        json!({ "purposes": o.purposes }),
    );
    app.store.insert_organisation(&o, w).await?;
    reply(StatusCode::CREATED, &o)
}

pub async fn update(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let input: OrganisationInput = body.parse()?;
    let old = match app.store.get_organisation(&id).await {
        Err(StoreError::NotFound) => return Err(missing()),
        other => other?,
    };
    let o = check_organisation(&input, old.id.clone(), old.created_at)
        .map_err(|(f, e)| invalid_at(f, e))?;
    let w = write(
        &caller,
        "relying_party.updated",
        &o.id,
        json!({ "purposes": o.purposes, "rate_limit_per_minute": o.rate_limit_per_minute }),
    );
    app.store.update_organisation(&o, w).await?;
    reply(StatusCode::OK, &o)
}

pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let items = app.store.list_organisations(1000).await?;
    reply(
        StatusCode::OK,
        &json!({ "items": items, "next_cursor": null }),
    )
}

#[derive(Serialize)]
struct OrganisationView<'a> {
    #[serde(flatten)]
    organisation: &'a zhengka_domain::verification::Organisation,
    credentials: &'a [ApiCredential],
}

pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let o = match app.store.get_organisation(&id).await {
        Err(StoreError::NotFound) => return Err(missing()),
        other => other?,
    };
    let credentials = app.store.credentials_of(&o.id).await?;
    reply(
        StatusCode::OK,
        &OrganisationView {
            organisation: &o,
            credentials: &credentials,
        },
    )
}

#[derive(Serialize)]
struct Issued<'a> {
    #[serde(flatten)]
    credential: &'a ApiCredential,
    /// Shown this once; only its hash is kept.
    token: String,
}

pub async fn issue_credential(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    if let Err(StoreError::NotFound) = app.store.get_organisation(&id).await {
        return Err(missing());
    }
    let credential = ApiCredential {
        id: zhengka_store::vault::hex(&token::random_bytes::<8>()),
        organisation_id: id.clone(),
        created_at: Utc::now(),
        revoked_at: None,
    };
    let secret = token::generate();
    let w = write(
        &caller,
        "relying_party.credential_issued",
        &id,
        json!({ "credential_id": credential.id }),
    );
    app.store
        .insert_credential(&credential, &token::hash(&secret), w)
        .await?;
    // Not kept for an idempotent replay: the secret must never be stored.
    reply(
        StatusCode::CREATED,
        &Issued {
            token: format!("zkrp_{}_{secret}", credential.id),
            credential: &credential,
        },
    )
}

pub async fn revoke_credential(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&[Role::Admin])?;
    let w = write(
        &caller,
        "relying_party.credential_revoked",
        &id,
        json!({ "credential_id": cid }),
    );
    match app.store.revoke_credential(&id, &cid, Utc::now(), w).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::NotFound) => Err(ApiError::Missing {
            code: "credential_not_found",
            message: "no such live credential of this relying party",
        }),
        Err(e) => Err(e.into()),
    }
}
