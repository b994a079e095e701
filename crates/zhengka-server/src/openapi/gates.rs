//! Offline gates: their registration (admin) and their signed log uploads.

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const GATES: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/relying-parties/{id}/gates",
        "Register an offline gate of the relying party {gate_id (3-64 of A-Za-z0-9-_, unique), name, public_key: ALG:hex (EdDSA, ES256 or SM2-SM3, as zhengka gate keygen writes it)}: 201 the gate; 409 gate_exists; 422 invalid_public_key",
        "admin",
        Some("Gate"),
        201,
    ),
    ep(
        "get",
        "/api/v1/relying-parties/{id}/gates",
        "The relying party's gates, newest first, revoked ones with revoked_at",
        "admin",
        None,
        200,
    ),
    ep(
        "delete",
        "/api/v1/relying-parties/{id}/gates/{gate_id}",
        "Revoke a gate (204): its uploads then answer 401 gate_revoked",
        "admin",
        None,
        204,
    ),
    ep(
        "post",
        "/api/v1/verifications/batch",
        "Upload an offline gate's log: the body (application/cose) is a COSE_Sign1 (typ application/zhengka-gate-log+cbor) signed by the gate's registered key over {gate, iat, log: bstr of lines v1<TAB>id<TAB>at<TAB>permit_number<TAB>purpose<TAB>credential_kind<TAB>result<TAB>reason}. No bearer needed (the signature authenticates the gate); with an API credential it must be the gate's organisation's. 200 {gate_id, received, new, duplicate}: a re-upload adds nothing. 404 gate_unknown, 401 gate_revoked or bad_signature, 429 over the organisation's rate limit per minute (per gate), 400 malformed_batch, 422 batch_size (1-1000 entries) or invalid_batch with lines [{index, field, code}] (purpose_not_registered, entry_in_future, entry_too_old (over 30 days), duplicate_entry, invalid_value); nothing is recorded then",
        "gate (signed body) or relying_party",
        Some("GateLogBatch"),
        200,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![
        (
            "Gate",
            json!({ "type": "object", "additionalProperties": false,
                "required": ["gate_id", "name", "public_key"],
                "properties": {
                    "gate_id": { "type": "string", "pattern": "^[A-Za-z0-9_-]{3,64}$" },
                    "name": { "type": "string", "minLength": 1, "maxLength": 100 },
                    "public_key": { "type": "string", "example": "EdDSA:3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29" }
                } }),
        ),
        (
            "GateLogBatch",
            json!({ "type": "string", "contentMediaType": "application/cose",
                    "description": "COSE_Sign1 bytes (docs/verification.md, Offline gates)" }),
        ),
    ]
}
