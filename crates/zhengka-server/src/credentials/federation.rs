//! Region federation, the verifier's side: the set of regions an online check
//! trusts (this deployment's own lists and every pinned peer's, as last
//! accepted), and the same set as offline gates download it.

use std::sync::Mutex;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zhengka_credential::{
    FederationError, Purpose, RegionTrust, TrustSet, accept_trust_list, parse_anchor,
};
use zhengka_store::{PeerState, PeerStatusList, Store, StoreError};

use super::{Credentials, STATUS_RECHECK};

/// Every region an online verification trusts at `now`: this deployment's
/// keys with its permits' list 1 (and the device list 3 for a presentation),
/// then each peer whose stored trust list still verifies under its pinned
/// anchor, with its status lists. A peer whose stored lists no longer verify
/// (expired) is left out: its credentials are then `unknown_key`.
pub async fn verification_set(
    creds: &Credentials,
    store: &dyn Store,
    now: i64,
    purpose: Purpose,
) -> Result<TrustSet, StoreError> {
    let own_list = creds.trust_list_value(now);
    // The lists as decoded when they were signed (this instance signed them).
    let mut own = RegionTrust::new(creds.region(), own_list)
        .map_err(|e| StoreError::other(e.to_string()))?
        .with_status_list(creds.status_list_decoded(store, now).await?);
    // A presentation's card credential names the device list (3).
    if purpose == Purpose::Presentation {
        own = own.with_status_list(creds.device_status_list_decoded(store, now).await?);
    }
    let mut set = TrustSet::new();
    set.push(own)
        .map_err(|e| StoreError::other(e.to_string()))?;
    for region in peer_regions(creds, store, now).await? {
        if let Err(e) = set.push(region) {
            tracing::debug!(error = %e, "peer not trusted");
        }
    }
    Ok(set)
}

/// The peers' regions an instance last read, for at most `STATUS_RECHECK`:
/// every check needs them, and a peer's lists can be megabytes. A change on
/// this instance (pin, remove, refresh) forgets them at once.
#[derive(Default)]
pub(super) struct PeerCache(Mutex<Option<(Instant, Vec<RegionTrust>)>>);

impl PeerCache {
    pub(super) fn forget(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

async fn peer_regions(
    creds: &Credentials,
    store: &dyn Store,
    now: i64,
) -> Result<Vec<RegionTrust>, StoreError> {
    let live = |regions: &Vec<RegionTrust>| {
        let regions = regions.iter().filter(|r| now < r.trust().exp);
        regions.cloned().collect()
    };
    {
        let cache = creds.peer_cache.0.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = cache
            .as_ref()
            .filter(|(read, _)| read.elapsed() < STATUS_RECHECK);
        if let Some((_, regions)) = fresh {
            return Ok(live(regions));
        }
    }
    let peers = store.peers().await?;
    let mut lists = store.all_peer_status_lists().await?;
    let mut regions = Vec::with_capacity(peers.len());
    for state in &peers {
        let mine: Vec<PeerStatusList> = take_lists(&mut lists, &state.peer.id);
        match cached_region_trust(state, &mine, now) {
            Ok(region) => regions.push(region),
            // Debug only: this runs on every check; the refresh that kept
            // (or refused) the lists logged and recorded why.
            Err(e) => {
                tracing::debug!(peer = %state.peer.region_code, error = %e, "peer not trusted");
            }
        }
    }
    let out = live(&regions);
    *creds.peer_cache.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), regions));
    Ok(out)
}

fn take_lists(lists: &mut Vec<(String, PeerStatusList)>, peer: &str) -> Vec<PeerStatusList> {
    let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(lists)
        .into_iter()
        .partition(|(id, _)| id == peer);
    *lists = rest;
    mine.into_iter().map(|(_, l)| l).collect()
}

/// Peers' regions already verified, keyed by the digest of everything they
/// were built from (anchor, region, maximum age, the signed lists), so a check
/// verifies a peer's signatures again only when a list changed. Per process;
/// bounded.
static REGIONS: Mutex<Vec<([u8; 32], RegionTrust)>> = Mutex::new(Vec::new());
const REGIONS_CACHED: usize = 64;

fn digest_of(state: &PeerState, lists: &[PeerStatusList]) -> [u8; 32] {
    let mut d = ring::digest::Context::new(&ring::digest::SHA256);
    let p = &state.peer;
    let max_age = p.max_age_seconds.to_string();
    let trust = state.trust_list.as_ref().map_or("", |t| t.0.as_str());
    let parts = [p.anchor.as_str(), p.region_code.as_str(), &max_age, trust];
    for part in parts
        .into_iter()
        .chain(lists.iter().map(|l| l.token.as_str()))
    {
        d.update(&(part.len() as u64).to_be_bytes());
        d.update(part.as_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(d.finish().as_ref());
    out
}

fn cached_region_trust(
    state: &PeerState,
    lists: &[PeerStatusList],
    now: i64,
) -> Result<RegionTrust, FederationError> {
    let key = digest_of(state, lists);
    {
        let cache = REGIONS.lock().unwrap_or_else(|e| e.into_inner());
        // A cached trust list past its `exp` is built again (and refused).
        if let Some((_, r)) = cache.iter().find(|(k, r)| *k == key && now < r.trust().exp) {
            return Ok(r.clone());
        }
    }
    let region = region_trust(state, lists, now)?;
    let mut cache = REGIONS.lock().unwrap_or_else(|e| e.into_inner());
    cache.retain(|(k, _)| *k != key);
    if cache.len() >= REGIONS_CACHED {
        cache.remove(0);
    }
    cache.push((key, region.clone()));
    Ok(region)
}

/// A peer's stored lists as a region of the set, verified again now (the
/// database is not trusted to have kept them intact): its trust list under
/// the pinned anchor, its status lists under its keys. A status list that no
/// longer verifies is left out (its credentials are then `stale_status`).
pub fn region_trust(
    state: &PeerState,
    lists: &[PeerStatusList],
    now: i64,
) -> Result<RegionTrust, FederationError> {
    let peer = &state.peer;
    let not_signed = |r| FederationError::NotSigned(r);
    let anchor = parse_anchor(&peer.anchor).map_err(|e| not_signed(e.into()))?;
    let (token, _) = state
        .trust_list
        .as_ref()
        .ok_or_else(|| not_signed("no trust list fetched yet".into()))?;
    let bytes = STANDARD
        .decode(token)
        .map_err(|_| not_signed("stored trust list".into()))?;
    let list = accept_trust_list(&bytes, &anchor, peer.region_code.as_str(), now)?;
    let mut region = RegionTrust::new(peer.region_code.as_str(), list)?.peer(peer.max_age_seconds);
    for stored in lists {
        let Ok(token) = STANDARD.decode(&stored.token) else {
            continue;
        };
        region = match region.clone().with_status_token(&token) {
            Ok(r) => r,
            Err(_) => region,
        };
    }
    Ok(region)
}

/// `GET /api/v1/federation/trust-lists`: this deployment's signed trust list
/// and anchor, and every peer's as accepted, with their status lists, so an
/// offline gate of this region can verify the peers' credentials too.
pub async fn published(
    creds: &Credentials,
    store: &dyn Store,
    now: i64,
) -> Result<serde_json::Value, StoreError> {
    let peers = store.peers().await?;
    let mut lists = store.all_peer_status_lists().await?;
    let peers: Vec<_> = peers
        .iter()
        .filter_map(|state| {
            let mine = take_lists(&mut lists, &state.peer.id);
            let (trust, _) = state.trust_list.as_ref()?;
            let status: Vec<_> = mine
                .iter()
                .map(|l| serde_json::json!({ "uri": l.uri, "iat": l.iat, "token": l.token }))
                .collect();
            Some(serde_json::json!({
                "region_code": state.peer.region_code,
                "name": state.peer.name,
                "anchor": state.peer.anchor,
                "max_age_seconds": state.peer.max_age_seconds,
                "fetched_at": state.fetched_at,
                "trust_list": trust,
                "status_lists": status,
            }))
        })
        .collect();
    Ok(serde_json::json!({
        "region_code": creds.region(),
        "anchor": zhengka_credential::anchor_text(creds.anchor_public()),
        "trust_list": STANDARD.encode(creds.trust_list(now)),
        "peers": peers,
    }))
}
