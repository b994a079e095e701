//! Purpose-bound checks: share codes, the holder's log, service uses and the
//! relying parties' people and logs.

use serde_json::{Value, json};

use super::{Endpoint, ep};

const PAGED: &[&str] = &["limit", "cursor"];

pub const CHECKS: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/ecard/share-codes",
        "Make a share code for one check (purpose employer_right_to_work): {code XXXXX-XXXXX shown once, purpose, expires_at}; single use, 24 h; 10 a day",
        "foreigner (holder)",
        Some("ShareCodeRequest"),
        201,
    ),
    ep(
        "get",
        "/api/v1/ecard/share-codes",
        "The holder's share codes (never the codes): purpose, created_at, expires_at, used_at",
        "foreigner (holder)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/ecard/verifications",
        "Every check of the holder's credentials, newest first: {id, at, organisation_name, purpose, credential_kind, result, reason, offline}",
        "foreigner (holder)",
        None,
        200,
    )
    .query(PAGED),
    ep(
        "get",
        "/api/v1/ecard/service-uses",
        "The services relying parties recorded for the holder after a check, newest first",
        "foreigner (holder)",
        None,
        200,
    )
    .query(PAGED),
    ep(
        "post",
        "/api/v1/service-uses",
        "Record a service (a loan, a registration, a ride, an entry) against the organisation's own valid check of the last 15 minutes, for a service of the check's purpose; once per check and service (409 service_use_recorded)",
        "relying_party",
        Some("ServiceUse"),
        201,
    ),
    ep(
        "post",
        "/api/v1/relying-parties/{id}/members",
        "Add a person who signs in to verify for the organisation (role relying_party)",
        "admin",
        Some("Member"),
        201,
    ),
    ep(
        "get",
        "/api/v1/relying-parties/{id}/verifications",
        "The organisation's own checks, newest first",
        "admin, relying_party (own organisation)",
        None,
        200,
    )
    .query(PAGED),
    ep(
        "post",
        "/api/v1/public-checks",
        "Anyone checks a Work Permit Notice QR: {valid, permit_number_last4?} and nothing else (the last four only of an authentic Notice); 30 per client address per 10 minutes (429); logged for the holder as organisation public, purpose public_check",
        "public",
        Some("PublicCheck"),
        200,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    let s = |t: &str| json!({ "type": t });
    let purposes = json!({ "type": "string", "enum": ["notice", "presentation", "residence_permit", "inspection", "employer_right_to_work", "healthcare", "pharmacy", "transit", "culture_venue", "library", "bank", "government_service"] });
    vec![
        (
            "Verification",
            json!({ "type": "object", "additionalProperties": false, "required": ["purpose"],
                "description": "Exactly one of qr, permit_number + name (police purposes), share_code (employer_right_to_work). notice/presentation answer with the role's fields; a verification purpose answers {verification_id, valid, purpose, credential_kind, reason?, fields?} with exactly the purpose's fields. 403 purpose_not_allowed for a purpose the caller is not registered for; 422 credential_kind_not_allowed for a way the purpose does not take",
                "properties": { "purpose": purposes, "qr": s("string"), "permit_number": s("string"),
                    "name": s("string"), "share_code": s("string"), "reason": s("string") } }),
        ),
        (
            "ShareCodeRequest",
            json!({ "type": "object", "additionalProperties": false, "required": ["purpose"],
                "properties": { "purpose": { "type": "string", "enum": ["employer_right_to_work"] } } }),
        ),
        (
            "ServiceUse",
            json!({ "type": "object", "additionalProperties": false, "required": ["verification_id", "service_code"],
                "properties": { "verification_id": s("string"), "service_code": s("string"), "note": s("string") } }),
        ),
        (
            "PublicCheck",
            json!({ "type": "object", "additionalProperties": false, "required": ["qr"],
                "properties": { "qr": s("string") } }),
        ),
        (
            "Member",
            json!({ "type": "object", "additionalProperties": false, "required": ["username", "password"],
                "properties": { "username": s("string"), "password": s("string") } }),
        ),
    ]
}
