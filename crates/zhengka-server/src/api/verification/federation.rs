//! Region federation (admin): the peer regions this deployment pins by their
//! trust anchor, their lists refreshed from their URL (by the leased job or on
//! demand), and the public set of trust lists for this region's offline gates.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use zhengka_credential::parse_anchor;
use zhengka_domain::employer::Role;
use zhengka_domain::verification::{PeerInput, check_peer};
use zhengka_store::{Audit, PeerState, PeerStatusList, Store, StoreError, Write};

use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::Caller;
use crate::credentials::Credentials;
use crate::credentials::federation::published;
use crate::credentials::peer_fetch::{self, Refusal};
use crate::http::{ApiError, ApiPath, JsonBody, invalid_at};

/// The actor of the refresh job's writes.
pub const FEDERATION_JOB: &str = "system:federation";

fn write(actor: &str, action: &'static str, id: &str, details: serde_json::Value) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: actor.to_owned(),
        action,
        entity_type: "federation_peer",
        entity_id: id.to_owned(),
        details,
    })
}

fn missing() -> ApiError {
    ApiError::Missing {
        code: "peer_not_found",
        message: "no such peer region",
    }
}

async fn load(app: &AppState, id: &str) -> Result<PeerState, ApiError> {
    match app.store.peer(id).await {
        Err(StoreError::NotFound) => Err(missing()),
        other => Ok(other?),
    }
}

#[derive(Serialize)]
struct StatusView<'a> {
    uri: &'a str,
    iat: i64,
    fetched_at: DateTime<Utc>,
}

#[derive(Serialize)]
struct PeerView<'a> {
    #[serde(flatten)]
    peer: &'a zhengka_domain::verification::Peer,
    trust_list_seq: Option<i64>,
    fetched_at: Option<DateTime<Utc>>,
    last_error: Option<&'a str>,
    last_error_at: Option<DateTime<Utc>>,
    status_lists: Vec<StatusView<'a>>,
}

fn view<'a>(s: &'a PeerState, lists: &'a [PeerStatusList]) -> PeerView<'a> {
    PeerView {
        peer: &s.peer,
        trust_list_seq: s.trust_list.as_ref().map(|t| t.1),
        fetched_at: s.fetched_at,
        last_error: s.last_error.as_ref().map(|e| e.0.as_str()),
        last_error_at: s.last_error.as_ref().map(|e| e.1),
        status_lists: lists
            .iter()
            .map(|l| StatusView {
                uri: &l.uri,
                iat: l.iat,
                fetched_at: l.fetched_at,
            })
            .collect(),
    }
}

async fn peer_reply(app: &AppState, status: StatusCode, s: &PeerState) -> Result<Reply, ApiError> {
    let lists = app.store.peer_status_lists(&s.peer.id).await?;
    reply(status, &view(s, &lists))
}

/// `POST /api/v1/federation/peers` (admin): pin a peer region by its anchor.
pub async fn create(
    State(app): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let input: PeerInput = body.parse()?;
    let state = pin(&app, &caller, &input).await?;
    peer_reply(&app, StatusCode::CREATED, &state).await
}

/// Pin a peer region by its anchor (shared by the API and the admin page);
/// with a URL its lists are fetched at once (a failure is kept as its last
/// error, the peer stays pinned). The peer as kept.
pub async fn pin(
    app: &AppState,
    caller: &Caller,
    input: &PeerInput,
) -> Result<PeerState, ApiError> {
    caller.require(&[Role::Admin])?;
    let id = uuid::Uuid::new_v4().to_string();
    let peer = check_peer(input, app.credentials.region(), id, Utc::now())
        .map_err(|(f, e)| invalid_at(f, e))?;
    parse_anchor(&peer.anchor).map_err(|e| ApiError::invalid("anchor", "invalid_anchor", e))?;
    let details =
        json!({ "region_code": peer.region_code, "url": peer.url, "anchor": peer.anchor });
    let w = write(&caller.user.id, "federation.peer_pinned", &peer.id, details);
    match app.store.insert_peer(&peer, w).await {
        Err(StoreError::Conflict { .. }) => {
            return Err(ApiError::Conflict {
                code: "peer_exists",
                message: "a peer of this region is pinned already".into(),
                field: Some("region_code"),
            });
        }
        other => other?,
    }
    app.credentials.forget_peers();
    if peer.url.is_some() {
        // A refusal is kept as the peer's last error, shown in the reply.
        let _refused = refresh_peer(app, &peer.id, &caller.user.id).await?;
    }
    load(app, &peer.id).await
}

/// `GET /api/v1/federation/peers` (admin).
pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let items: Vec<_> = peers_with_lists(app.store.as_ref())
        .await?
        .iter()
        .map(|(s, lists)| serde_json::to_value(view(s, lists)).unwrap_or_default())
        .collect();
    reply(
        StatusCode::OK,
        &json!({ "items": items, "next_cursor": null }),
    )
}

/// Every pinned peer with the status lists kept of it (the API's list and
/// the admin page).
pub async fn peers_with_lists(
    store: &dyn Store,
) -> Result<Vec<(PeerState, Vec<PeerStatusList>)>, StoreError> {
    let peers = store.peers().await?;
    let lists = store.all_peer_status_lists().await?;
    let of = |id: &str| -> Vec<PeerStatusList> {
        let mine = lists.iter().filter(|(peer, _)| peer == id);
        mine.map(|(_, l)| l.clone()).collect()
    };
    Ok(peers
        .into_iter()
        .map(|s| {
            let mine = of(&s.peer.id);
            (s, mine)
        })
        .collect())
}

/// `GET /api/v1/federation/peers/{id}` (admin): with when its lists were
/// fetched and the last error.
pub async fn get(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let state = load(&app, &id).await?;
    peer_reply(&app, StatusCode::OK, &state).await
}

/// `DELETE /api/v1/federation/peers/{id}` (admin): its credentials stop
/// verifying here at once.
pub async fn remove(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    unpin(&app, &caller, &id).await?;
    reply(StatusCode::OK, &json!({ "id": id, "removed": true }))
}

/// Remove a pinned peer (shared by the API and the admin page).
pub async fn unpin(app: &AppState, caller: &Caller, id: &str) -> Result<(), ApiError> {
    caller.require(&[Role::Admin])?;
    let state = load(app, id).await?;
    let details = json!({ "region_code": state.peer.region_code });
    let w = write(&caller.user.id, "federation.peer_removed", id, details);
    let deleted = app.store.delete_peer(id, w).await;
    app.credentials.forget_peers();
    match deleted {
        Err(StoreError::NotFound) => Err(missing()),
        other => Ok(other?),
    }
}

/// `POST /api/v1/federation/peers/{id}/refresh` (admin): fetch now. A list
/// refused (409 with its reason) or a peer unreachable (503) leaves the kept
/// lists as they were and is shown as the peer's last error.
pub async fn refresh(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<Reply, ApiError> {
    let state = refresh_now(&app, &caller, &id).await?;
    peer_reply(&app, StatusCode::OK, &state).await
}

/// Fetch a peer's lists now (shared by the API and the admin page): the peer
/// as kept, or the refusal as an error (kept as its last error too).
pub async fn refresh_now(app: &AppState, caller: &Caller, id: &str) -> Result<PeerState, ApiError> {
    caller.require(&[Role::Admin])?;
    load(app, id).await?;
    if let Err(refusal) = refresh_peer(app, id, &caller.user.id).await? {
        return Err(refused(refusal));
    }
    load(app, id).await
}

fn refused(r: Refusal) -> ApiError {
    if r.unreachable() {
        return ApiError::Unavailable {
            code: "peer_unreachable",
            message: "the peer's lists could not be fetched",
        };
    }
    ApiError::Conflict {
        code: r.code,
        message: r.message,
        field: None,
    }
}

/// Fetch a peer's lists and keep what is accepted (each list only if newer
/// than the kept one), or record why not; one audited write either way.
pub async fn refresh_peer(
    app: &AppState,
    id: &str,
    actor: &str,
) -> Result<Result<(), Refusal>, StoreError> {
    let state = app.store.peer(id).await?;
    let now = Utc::now();
    let stored_seq = state.trust_list.as_ref().map(|t| t.1);
    let client = &app.providers.outgoing.peers;
    match peer_fetch::fetch(client, &app.credentials, &state.peer, stored_seq, now).await {
        Ok(fetch) => {
            record(app.store.as_ref(), &state, &fetch, actor, now).await?;
            app.credentials.forget_peers();
            Ok(Ok(()))
        }
        Err(refusal) => {
            let details = json!({ "code": refusal.code });
            let w = write(actor, "federation.peer_refresh_failed", id, details);
            let text = format!("{}: {}", refusal.code, refusal.message);
            app.store.record_peer_error(id, &text, now, w).await?;
            Ok(Err(refusal))
        }
    }
}

/// Keep an accepted fetch (also an offline import's).
pub async fn record(
    store: &dyn Store,
    state: &PeerState,
    fetch: &zhengka_store::PeerFetch,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let details = json!({
        "trust_list_seq": fetch.trust_list.as_ref().map(|t| t.1),
        "status_lists": fetch.status_lists.iter().map(|l| json!({ "uri": l.uri, "iat": l.iat })).collect::<Vec<_>>(),
    });
    let w = write(actor, "federation.peer_refreshed", &state.peer.id, details);
    let done = store
        .record_peer_fetch(&state.peer.id, fetch, now, w)
        .await?;
    if !done.trust_list_replaced && fetch.trust_list.is_some() {
        tracing::debug!(peer = %state.peer.region_code, "peer trust list unchanged");
    }
    Ok(())
}

/// Whether a peer is due for a refresh at `now`: half its maximum age after
/// the last attempt (at least 30 s apart).
pub fn due(state: &PeerState, now: DateTime<Utc>) -> bool {
    if state.peer.url.is_none() {
        return false;
    }
    let last = [state.fetched_at, state.last_error.as_ref().map(|e| e.1)]
        .into_iter()
        .flatten()
        .max();
    let every = chrono::Duration::seconds((state.peer.max_age_seconds / 2).max(30));
    last.is_none_or(|t| now - t >= every)
}

/// `GET /api/v1/federation/trust-lists` (public): this region's signed trust
/// list and anchor and every peer's as accepted, with the peers' status lists
/// (base64 of the COSE bytes).
pub async fn trust_lists(State(app): State<AppState>) -> Result<Reply, ApiError> {
    let now = Utc::now().timestamp();
    let body = published(&app.credentials, app.store.as_ref(), now).await?;
    reply(StatusCode::OK, &body)
}

/// What an offline import was given: the peer's anchor (`ALG:hex`), its
/// signed trust list and status list tokens, and for a new peer its name and
/// maximum age.
pub struct OfflineImport<'a> {
    pub anchor: &'a str,
    pub name: Option<&'a str>,
    pub max_age_seconds: Option<i64>,
    pub trust_list: &'a [u8],
    pub status_lists: &'a [Vec<u8>],
}

/// `zhengka trust import`: pin the region the list names (or refresh the
/// pinned peer of that region, which must have the same anchor) from files,
/// without a URL. Returns the peer as kept.
pub async fn import_offline(
    creds: &Credentials,
    store: &dyn Store,
    import: &OfflineImport<'_>,
    actor: &str,
) -> Result<PeerState, String> {
    let now = Utc::now();
    let anchor = parse_anchor(import.anchor).map_err(|e| format!("invalid_anchor: {e}"))?;
    let list =
        zhengka_credential::TrustList::from_signed(import.trust_list, &anchor, now.timestamp())
            .map_err(|e| format!("peer_list_not_verified: {}", e.code()))?;
    let region = list
        .keys
        .first()
        .map(|k| k.region.clone())
        .ok_or("the trust list names no key")?;
    let existing = store.peers().await.map_err(|e| e.to_string())?;
    let state = match existing
        .into_iter()
        .find(|s| s.peer.region_code.as_str() == region)
    {
        Some(s) if parse_anchor(&s.peer.anchor).ok().as_ref() != Some(&anchor) => {
            return Err(format!("region {region} is pinned with another anchor"));
        }
        Some(s) => s,
        None => {
            let input = PeerInput {
                region_code: region.clone(),
                name: import.name.unwrap_or(&region).to_owned(),
                anchor: import.anchor.trim().to_owned(),
                url: None,
                max_age_seconds: import.max_age_seconds,
            };
            let id = uuid::Uuid::new_v4().to_string();
            let peer = check_peer(&input, creds.region(), id, now)
                .map_err(|(f, e)| format!("{f}: {}: {}", e.code, e.message))?;
            let details =
                json!({ "region_code": peer.region_code, "url": null, "anchor": peer.anchor });
            let w = write(actor, "federation.peer_pinned", &peer.id, details);
            store
                .insert_peer(&peer, w)
                .await
                .map_err(|e| e.to_string())?;
            store.peer(&peer.id).await.map_err(|e| e.to_string())?
        }
    };
    let stored_seq = state.trust_list.as_ref().map(|t| t.1);
    let fetch = peer_fetch::accept(
        creds,
        &state.peer,
        stored_seq,
        import.trust_list,
        import.status_lists,
        now,
    )
    .map_err(|r| format!("{}: {}", r.code, r.message))?;
    record(store, &state, &fetch, actor, now)
        .await
        .map_err(|e| e.to_string())?;
    creds.forget_peers();
    store.peer(&state.peer.id).await.map_err(|e| e.to_string())
}
