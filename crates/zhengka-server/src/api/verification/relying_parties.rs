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
use zhengka_domain::verification::{
    ApiCredential, Organisation, OrganisationInput, check_organisation,
};
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
    let o = register(&app, &caller, &input).await?;
    reply(StatusCode::CREATED, &o)
}

/// Register an organisation; shared by the API and the admin page.
pub async fn register(
    app: &AppState,
    caller: &Caller,
    input: &OrganisationInput,
) -> Result<Organisation, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = uuid::Uuid::new_v4().to_string();
    let o = check_organisation(input, id, Utc::now()).map_err(|(f, e)| invalid_at(f, e))?;
    let w = write(
        caller,
        "relying_party.registered",
        &o.id,
        json!({ "purposes": o.purposes }),
    );
    app.store.insert_organisation(&o, w).await?;
    Ok(o)
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
    let (credential, token) = issue(&app, &caller, &id).await?;
    // Not kept for an idempotent replay: the secret must never be stored.
    reply(
        StatusCode::CREATED,
        &Issued {
            token,
            credential: &credential,
        },
    )
}

/// Issue a credential: it and its token (shown once, only the hash kept).
pub async fn issue(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(ApiCredential, String), ApiError> {
    caller.require(&[Role::Admin])?;
    if let Err(StoreError::NotFound) = app.store.get_organisation(id).await {
        return Err(missing());
    }
    let credential = ApiCredential {
        id: zhengka_store::vault::hex(&token::random_bytes::<8>()),
        organisation_id: id.to_owned(),
        created_at: Utc::now(),
        revoked_at: None,
    };
    let secret = token::generate();
    let w = write(
        caller,
        "relying_party.credential_issued",
        id,
        json!({ "credential_id": credential.id }),
    );
    app.store
        .insert_credential(&credential, &token::hash(&secret), w)
        .await?;
    let token = format!("zkrp_{}_{secret}", credential.id);
    Ok((credential, token))
}

pub async fn revoke_credential(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath((id, cid)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    revoke(&app, &caller, &id, &cid).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revoke a live credential; shared by the API and the admin page.
pub async fn revoke(app: &AppState, caller: &Caller, id: &str, cid: &str) -> Result<(), ApiError> {
    caller.require(&[Role::Admin])?;
    let w = write(
        caller,
        "relying_party.credential_revoked",
        id,
        json!({ "credential_id": cid }),
    );
    match app.store.revoke_credential(id, cid, Utc::now(), w).await {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::Missing {
            code: "credential_not_found",
            message: "no such live credential of this relying party",
        }),
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub username: String,
    pub password: String,
}

/// `POST /api/v1/relying-parties/{id}/members` (admin): a person who signs
/// in to verify for the organisation (role `relying_party`).
pub async fn add_member(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let req: NewMember = body.parse()?;
    let (user, org_id) = member(&app, &caller, &id, req).await?;
    reply(
        StatusCode::CREATED,
        &json!({ "user": user, "organisation_id": org_id }),
    )
}

/// Add a member; shared by the API and the admin page.
pub async fn member(
    app: &AppState,
    caller: &Caller,
    id: &str,
    req: NewMember,
) -> Result<(zhengka_domain::employer::User, String), ApiError> {
    caller.require(&[Role::Admin])?;
    let org = match app.store.get_organisation(id).await {
        Err(StoreError::NotFound) => return Err(missing()),
        other => other?,
    };
    let new = crate::api::users::NewUser {
        username: req.username,
        password: req.password,
        role: Role::RelyingParty,
        employer_id: None,
        region_code: None,
    };
    let user = crate::api::users::build_user(app, &new).await?;
    let hash = crate::auth::password::hash(new.password).await?;
    let w = write(
        caller,
        "relying_party.member_added",
        &org.id,
        json!({ "user_id": user.id, "username": user.username }),
    );
    app.store.insert_member(&user, &hash, &org.id, w).await?;
    Ok((user, org.id))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /api/v1/relying-parties/{id}/verifications`: the organisation's own
/// checks, for the admin and the organisation's people and credentials.
pub async fn verifications(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
    crate::http::ApiQuery(q): crate::http::ApiQuery<LogQuery>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin, Role::RelyingParty])?;
    if caller.user.role == Role::RelyingParty {
        let who = super::verify::checker(&app, &caller).await?;
        if who.organisation.as_ref().map(|o| o.id.as_str()) != Some(id.as_str()) {
            return Err(missing());
        }
    }
    let limit = crate::api::limit(q.limit)?;
    let before = match q.cursor.as_deref() {
        None => None,
        Some(raw) => Some(
            raw.split_once('|')
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .ok_or_else(|| {
                    ApiError::invalid("cursor", "invalid_cursor", "not a cursor from this list")
                })?,
        ),
    };
    let mut rows = app
        .store
        .verifications_of_organisation(&id, before, limit + 1)
        .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    let next = more.then(|| rows.last()).flatten().map(|e| {
        format!(
            "{}|{}",
            e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            e.id
        )
    });
    reply(
        StatusCode::OK,
        &json!({ "items": rows, "next_cursor": next }),
    )
}
