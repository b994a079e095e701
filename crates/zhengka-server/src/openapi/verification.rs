//! The verification context's operations: the one-card service catalogue.

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const VERIFICATION: &[Endpoint] = &[
    Endpoint {
        query: &[
            "limit",
            "cursor",
            "sector",
            "region_code",
            "include_inactive",
        ],
        ..ep(
            "get",
            "/api/v1/services",
            "The one-card service catalogue in code order: {items, next_cursor, total}; sector (government_affairs, transport, culture_tourism, finance, healthcare, library); region_code lists that region's services and those of the regions above it",
            "public",
            None,
            200,
        )
    },
    ep(
        "get",
        "/api/v1/services/{code}",
        "One service",
        "public",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/services",
        "Add a service; the purpose must be one of its sector's (transit, healthcare, pharmacy, culture_venue, library, bank, government_service). 409 service_exists",
        "admin",
        Some("Service"),
        201,
    ),
    ep(
        "put",
        "/api/v1/services/{code}",
        "Change a service (active=false takes it off the public list)",
        "admin",
        Some("Service"),
        200,
    ),
    ep(
        "post",
        "/api/v1/services/import",
        "Import services (text/csv with the header code,sector,purpose,name_zh,name_en,provider,region_code[,active], or application/x-ndjson): every service or none; a code already there is updated. 200 {created, updated}; 422 invalid_import with every bad line",
        "admin",
        Some("ServiceImport"),
        200,
    ),
];

/// The registry of relying parties.
pub const RELYING_PARTIES: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/relying-parties",
        "Register an organisation {name, sector (employer or a service sector), region_code, purposes[] (not residence_permit or inspection: the police's), rate_limit_per_minute (default 600)}",
        "admin",
        Some("RelyingParty"),
        201,
    ),
    ep(
        "get",
        "/api/v1/relying-parties",
        "Every relying party, newest first",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/relying-parties/{id}",
        "One relying party with its credentials (never their secrets)",
        "admin",
        None,
        200,
    ),
    ep(
        "put",
        "/api/v1/relying-parties/{id}",
        "Change a relying party's name, sector, region, purposes or rate limit",
        "admin",
        Some("RelyingParty"),
        200,
    ),
    ep(
        "post",
        "/api/v1/relying-parties/{id}/credentials",
        "Issue an API credential: 201 {id, organisation_id, created_at, token}; the token (Bearer zkrp_<id>_<secret>) is shown this once and never replayed for an Idempotency-Key. Rotate by issuing a new one, then revoking the old",
        "admin",
        None,
        201,
    ),
    ep(
        "delete",
        "/api/v1/relying-parties/{id}/credentials/{cid}",
        "Revoke an API credential (204); requests with it then answer 401 credential_revoked",
        "admin",
        None,
        204,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    let s = |t: &str| json!({ "type": t });
    vec![
        (
            "Service",
            json!({ "type": "object", "additionalProperties": false,
                "required": ["code", "sector", "purpose", "name_zh", "name_en", "provider", "region_code"],
                "properties": {
                    "code": { "type": "string", "pattern": "^[A-Za-z0-9-]{3,40}$" },
                    "sector": { "type": "string", "enum": ["government_affairs", "transport", "culture_tourism", "finance", "healthcare", "library"] },
                    "purpose": { "type": "string", "enum": ["transit", "healthcare", "pharmacy", "culture_venue", "library", "bank", "government_service"] },
                    "name_zh": s("string"), "name_en": s("string"), "provider": s("string"),
                    "region_code": s("string"), "active": s("boolean") } }),
        ),
        (
            "RelyingParty",
            json!({ "type": "object", "additionalProperties": false,
                "required": ["name", "sector", "region_code", "purposes"],
                "properties": {
                    "name": s("string"), "sector": s("string"), "region_code": s("string"),
                    "purposes": { "type": "array", "items": { "type": "string", "enum": ["employer_right_to_work", "healthcare", "pharmacy", "transit", "culture_venue", "library", "bank", "government_service"] } },
                    "rate_limit_per_minute": { "type": "integer", "minimum": 1, "maximum": 100000 } } }),
        ),
        (
            "ServiceImport",
            json!({ "type": "string", "contentMediaType": "text/csv" }),
        ),
    ]
}
