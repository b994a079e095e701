//! The agencies' webhook subscriptions and their deliveries.

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const WEBHOOKS: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/webhooks",
        "Subscribe an agency {name, url (http(s)://host[:port]/path), event_types[] (permit.cancelled, permit.suspended, permit.revoked, permit.changed, permit.reinstated, permit.expired, card.frozen, card.unfrozen, card.replaced, ssn.issued, insurance.ended), organisation_id? (a relying party)}: 201 with the signing secret (whsec_...) shown this once and never replayed for an Idempotency-Key. 422 unknown_event_type (field event_types[i]), invalid_webhook_url, unknown_organisation",
        "admin",
        Some("WebhookSubscription"),
        201,
    ),
    ep(
        "get",
        "/api/v1/webhooks",
        "Every subscription, newest first (never a secret)",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/webhooks/{id}",
        "One subscription (never its secret)",
        "admin",
        None,
        200,
    ),
    ep(
        "put",
        "/api/v1/webhooks/{id}",
        "Change a subscription's url, event_types or active (each optional)",
        "admin",
        Some("WebhookChange"),
        200,
    ),
    ep(
        "delete",
        "/api/v1/webhooks/{id}",
        "Switch a subscription off (kept with its deliveries; pending ones wait); 200 with the subscription",
        "admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/webhooks/{id}/rotate-secret",
        "A new signing secret, shown this once; the old one signs nothing more",
        "admin",
        None,
        200,
    ),
    Endpoint {
        query: &["status", "limit", "cursor"],
        ..ep(
            "get",
            "/api/v1/webhooks/{id}/deliveries",
            "The subscription's deliveries, newest first: {items, next_cursor}; status pending, delivered or dead",
            "admin",
            None,
            200,
        )
    },
    ep(
        "post",
        "/api/v1/webhooks/deliveries/{id}/redeliver",
        "Send a delivered or dead delivery again (pending, due now, the whole retry schedule again); 409 delivery_pending",
        "admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/admin/deliver-webhooks",
        "Send the due webhook deliveries now (the job runs every 5 s): {delivered, retried, dead}",
        "admin",
        None,
        200,
    ),
];

pub fn schemas() -> Vec<(&'static str, Value)> {
    let types = json!({ "type": "array", "minItems": 1, "items": { "type": "string", "enum": [
        "permit.cancelled", "permit.suspended", "permit.revoked", "permit.changed",
        "permit.reinstated", "permit.expired", "card.frozen", "card.unfrozen", "card.replaced",
        "ssn.issued", "insurance.ended"] } });
    let url = json!({ "type": "string", "pattern": "^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/" });
    vec![
        (
            "WebhookSubscription",
            json!({ "type": "object", "additionalProperties": false,
                "required": ["name", "url", "event_types"],
                "properties": { "name": { "type": "string" }, "url": url, "event_types": types,
                    "organisation_id": { "type": ["string", "null"] } } }),
        ),
        (
            "WebhookChange",
            json!({ "type": "object", "additionalProperties": false,
                "properties": { "url": url, "event_types": types, "active": { "type": "boolean" } } }),
        ),
    ]
}
