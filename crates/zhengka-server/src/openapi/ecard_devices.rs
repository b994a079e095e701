//! The e-card's devices and their card credentials (docs/ecard.md, "Devices
//! and the live QR").

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const ECARD_DEVICES: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/ecard/devices",
        "Bind a device key: public_key is a COSE_Key (ES256 only: EC2, P-256, the point on the curve), base64; name 1 to 60 characters. 201 {device_id, credential_status, card_credential: {qr (ZK1: text), cose (base64 COSE_Sign1), exp, status: {uri, idx}}, device}: the card credential (kind 2) with cnf = that key, the permit record's facts, exp the end of the permit's last day, its own entry of status list 3. The same key again: 200 with that device. Bad key: 422 on public_key (invalid_base64, invalid_cose_key, unsupported_key, not_on_curve); 5 devices bound: 409 too_many_devices; a revoked key: 409 device_key_revoked; ended permit: 409 permit_not_valid",
        "foreigner (self)",
        Some("EcardDevice"),
        201,
    ),
    ep(
        "get",
        "/api/v1/ecard/devices",
        "The holder's devices, oldest first, revoked ones included: {items: [{id, name, created_at, revoked_at, credential_status (valid, suspended, revoked), status: {uri, idx}}], remaining}",
        "foreigner (self)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/ecard/devices/{id}/credential",
        "The device's current card credential, issued again from the permit record (the same body as binding, 200); a revoked device: 409 device_revoked; another holder's device: 404",
        "foreigner (self)",
        None,
        200,
    ),
    ep(
        "delete",
        "/api/v1/ecard/devices/{id}",
        "Revoke the device: its credential's entry in status list 3 becomes revoked (again: nothing changes). 204; another holder's device: 404",
        "foreigner (self)",
        None,
        204,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    vec![(
        "EcardDevice",
        json!({ "type": "object", "additionalProperties": false,
            "required": ["public_key", "name"],
            "properties": {
                "public_key": { "type": "string", "contentEncoding": "base64", "maxLength": 1024,
                    "description": "COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y}" },
                "name": { "type": "string", "minLength": 1, "maxLength": 60 } } }),
    )]
}
