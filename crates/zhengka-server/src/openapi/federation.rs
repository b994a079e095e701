//! Region federation: the pinned peer regions and the published set of trust
//! lists.

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const FEDERATION: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/federation/peers",
        "Pin a peer region {region_code, name, anchor (ALG:hex, its trust-anchor.pub), url (its base URL; omit for an offline import), max_age_seconds (60 to 86400, default 86400)}; with a url its lists are fetched at once (a refusal shows as last_error). 409 peer_exists; 422 own_region, invalid_anchor, invalid_url",
        "admin",
        Some("FederationPeer"),
        201,
    ),
    ep(
        "get",
        "/api/v1/federation/peers",
        "Every pinned peer region with its fetched_at, last_error and accepted status lists",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/federation/peers/{id}",
        "One peer region: trust_list_seq, fetched_at, last_error, last_error_at, status_lists [{uri, iat, fetched_at}]",
        "admin",
        None,
        200,
    ),
    ep(
        "delete",
        "/api/v1/federation/peers/{id}",
        "Unpin a peer region: its credentials stop verifying here at once",
        "admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/federation/peers/{id}/refresh",
        "Fetch the peer's trust list and status lists 1, 2, 3 now; each kept only if newer than the one kept. 409 with the refusal (peer_list_not_verified, region_mismatch, key_of_another_region, older_trust_list, status_list_not_verified, peer_has_no_url); 503 peer_unreachable",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/federation/trust-lists",
        "For this region's offline gates: {region_code, anchor, trust_list, peers: [{region_code, name, anchor, max_age_seconds, fetched_at, trust_list, status_lists: [{uri, iat, token}]}]}; lists and tokens are base64 of their COSE bytes",
        "public",
        None,
        200,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    let s = |t: &str| json!({ "type": t });
    vec![(
        "FederationPeer",
        json!({ "type": "object", "additionalProperties": false,
            "required": ["region_code", "name", "anchor"],
            "properties": {
                "region_code": s("string"), "name": s("string"),
                "anchor": { "type": "string", "pattern": "^[A-Za-z0-9-]+:[0-9a-fA-F]+$" },
                "url": s("string"),
                "max_age_seconds": { "type": "integer", "minimum": 60, "maximum": 86400 } } }),
    )]
}
