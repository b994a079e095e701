//! The e-card context's operations and request bodies (ECARD.md).

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const ECARD: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/ecard/registrations",
        "Start an e-card registration: name + exactly one of permit_number, ssn, notice_qr, and a password. 201 {registration_id, status: awaiting_real_person, expires_at}. Any unknown number, wrong name, ineligible permit or existing account is the same 422 registration_refused; 5 refusals per permit number or client address in 15 minutes: 429 with retry_after",
        "public",
        Some("EcardRegistration"),
        201,
    ),
    ep(
        "post",
        "/api/v1/ecard/registrations/{id}/real-person",
        "The real-person step: a selfie (base64 JPEG/PNG, at most 2 MiB) checked by the provider against the permit photo. Pass: 201 {holder_id, real_person, password_reset}; fail: 422 real_person_failed (counted like a refusal); provider down: 503 real_person_unavailable (retry until expires_at); used or expired: 409 registration_closed; second account: 409 already_registered",
        "public",
        Some("RealPersonProbe"),
        201,
    ),
    ep(
        "post",
        "/api/v1/ecard/password-resets",
        "Start a password reset: the same body and answers as a registration, for a person with an account; the new password takes effect after a fresh real-person step (every session ends)",
        "public",
        Some("EcardRegistration"),
        201,
    ),
    ep(
        "get",
        "/api/v1/ecard",
        "The holder's e-card: the permit as on its record, the social security account (SSN masked), the physical card (bank account masked)",
        "foreigner (self)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/ecard/ssn",
        "The holder's SSN in full (what the page shows when the holder taps it)",
        "foreigner (self)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/ecard/holders/{id}/close",
        "Close an e-card account (the person may register again): sessions end, device credentials are revoked. 204",
        "foreigner (self), admin",
        None,
        204,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    let s = |t: &str| json!({ "type": t });
    vec![
        (
            "EcardRegistration",
            json!({ "type": "object", "additionalProperties": false,
                "required": ["name", "password"],
                "properties": {
                    "name": s("string"), "permit_number": s("string"), "ssn": s("string"),
                    "notice_qr": s("string"),
                    "password": { "type": "string", "minLength": 12, "maxLength": 256 },
                    "lang": { "type": "string", "enum": ["zh", "en"] } } }),
        ),
        (
            "RealPersonProbe",
            json!({ "type": "object", "additionalProperties": false, "required": ["image"],
                "properties": { "image": { "type": "string", "contentEncoding": "base64" } } }),
        ),
    ]
}
