//! Region federation, the fetching side: a peer's trust list and status lists
//! read from its URL (or given by an offline import) are kept only when the
//! trust list verifies under the pinned anchor, names keys of the peer's
//! region alone, is not older than the one kept, shares no key with this
//! deployment, and every status list verifies under the peer's keys.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use zhengka_credential::{RegionTrust, StatusList, TrustSet, accept_trust_list, parse_anchor};
use zhengka_domain::verification::Peer;
use zhengka_store::{PeerFetch, PeerStatusList};

use super::Credentials;

/// The status lists a peer publishes (`GET /api/v1/status-lists/{id}`): the
/// permits' list, the cards' list and the device credentials' list.
pub const PEER_STATUS_LISTS: [&str; 3] = ["1", "2", "3"];
/// The largest list read from a peer.
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Why a fetch was not kept: a stable code and a sentence for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// Whether the peer could not be reached at all (rather than refused).
    pub fn unreachable(&self) -> bool {
        self.code == "peer_unreachable"
    }
}

/// Checks a peer's signed trust list and status list tokens as one fetch.
/// `stored_seq` is the seq of the trust list kept now, if any.
pub fn accept(
    creds: &Credentials,
    peer: &Peer,
    stored_seq: Option<i64>,
    trust_bytes: &[u8],
    status_tokens: &[Vec<u8>],
    now: DateTime<Utc>,
) -> Result<PeerFetch, Refusal> {
    let anchor = parse_anchor(&peer.anchor).map_err(|e| Refusal::new("invalid_anchor", e))?;
    let region = peer.region_code.as_str();
    let list = accept_trust_list(trust_bytes, &anchor, region, now.timestamp())
        .map_err(|e| Refusal::new(e.code(), e.to_string()))?;
    let seq = i64::try_from(list.seq).map_err(|_| Refusal::new("older_trust_list", "bad seq"))?;
    if stored_seq.is_some_and(|s| s > seq) {
        return Err(Refusal::new(
            "older_trust_list",
            format!(
                "seq {seq} is older than the kept list's {}",
                stored_seq.unwrap_or(0)
            ),
        ));
    }
    // A peer may not list this deployment's own keys as its own.
    let mut set = TrustSet::new();
    let own = RegionTrust::new(creds.region(), creds.trust_list_value(now.timestamp()))
        .map_err(|e| Refusal::new(e.code(), e.to_string()))?;
    set.push(own)
        .and_then(|()| set.push(RegionTrust::new(region, list.clone())?))
        .map_err(|e| Refusal::new(e.code(), e.to_string()))?;
    let status_lists = status_tokens
        .iter()
        .map(|token| {
            let l = StatusList::from_token(token, &list).map_err(|e| {
                Refusal::new(
                    "status_list_not_verified",
                    format!(
                        "a status list does not verify under the peer's keys: {}",
                        e.code()
                    ),
                )
            })?;
            Ok(PeerStatusList {
                uri: l.uri,
                token: STANDARD.encode(token),
                iat: l.iat,
                fetched_at: now,
            })
        })
        .collect::<Result<Vec<_>, Refusal>>()?;
    Ok(PeerFetch {
        trust_list: Some((STANDARD.encode(trust_bytes), seq)),
        status_lists,
    })
}

async fn get(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, Refusal> {
    let unreachable = |e: String| Refusal::new("peer_unreachable", format!("{url}: {e}"));
    let described = |e: reqwest::Error| unreachable(crate::providers::outgoing::describe(&e));
    let mut res = client.get(url).send().await.map_err(described)?;
    if res.status() != reqwest::StatusCode::OK {
        return Err(unreachable(format!("HTTP {}", res.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(described)? {
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(unreachable("response too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Fetches the peer's lists from its URL with `client` (`Outgoing::peers`:
/// no redirects, TLS verified) and checks them ([`accept`]).
pub async fn fetch(
    client: &reqwest::Client,
    creds: &Credentials,
    peer: &Peer,
    stored_seq: Option<i64>,
    now: DateTime<Utc>,
) -> Result<PeerFetch, Refusal> {
    let Some(base) = peer.url.as_deref() else {
        return Err(Refusal::new(
            "peer_has_no_url",
            "the peer was imported offline; import its lists again",
        ));
    };
    let trust = get(client, &format!("{base}/api/v1/trust-list")).await?;
    let mut tokens = Vec::new();
    for id in PEER_STATUS_LISTS {
        tokens.push(get(client, &format!("{base}/api/v1/status-lists/{id}")).await?);
    }
    accept(creds, peer, stored_seq, &trust, &tokens, now)
}
