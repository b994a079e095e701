//! The card side's operations and request bodies (social security, cards),
//! beside the permit side's table in `openapi.rs`.

use serde_json::{Value, json};

use super::{Endpoint, ep};

pub const CARD_SIDE: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/social-security/enrolments",
        "Enrol a permit holder: the permit is checked through the system (valid, name as on the permit); the SSN is issued with the five insurances (over-age holders without the excluded ones). Errors: permit_not_found 404, permit_not_valid 409, name_mismatch 422, already_enrolled 409",
        "social_security_officer (region), employer_agent (own employees; SSN masked)",
        Some("Enrolment"),
        201,
    ),
    ep(
        "get",
        "/api/v1/social-security/accounts",
        "Accounts, newest first (limit, cursor); due=registration lists valid permits without an account near or past the 30-day registration limit",
        "social_security_officer, card_officer (region), employer_agent (own employees; SSN masked)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/social-security/accounts/{ssn}",
        "One account with its insurances",
        "social_security_officer, card_officer (region), employer_agent (own employees; SSN masked)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/cards",
        "Apply for the physical card (by SSN or permit number; delivery address or pickup at the service hall). Errors: account_not_found 404, permit_not_valid 409, account_ended 409, card_exists 409",
        "social_security_officer, card_officer (region), employer_agent (own employees)",
        Some("CardApplication"),
        201,
    ),
    ep(
        "get",
        "/api/v1/cards",
        "Cards, oldest promise first (limit, cursor, status, overdue=true: not yet in hand past the 10-working-day promise)",
        "card_officer, social_security_officer (region), employer_agent (own employees); bank account masked except for card officers",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/cards/{card_number}",
        "One card with every element and its events",
        "card_officer, social_security_officer (region), employer_agent (own employees)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/cards/{card_number}/events",
        "Record what happened to a card (produced, shipped, delivered, issued_at_window, lost, frozen, unfrozen, replaced); illegal transitions 409 illegal_transition; replaced makes the replacement card. The holder (foreigner) may post lost on their own card, then replaced once the loss froze it (another's card: 404; other events: 422 event_not_allowed)",
        "card_officer (region), foreigner (own card)",
        Some("CardEvent"),
        200,
    ),
    ep(
        "post",
        "/api/v1/card-batches",
        "Batch every applied card of the officer's region for production (409 nothing_to_batch)",
        "card_officer",
        None,
        201,
    ),
    ep(
        "get",
        "/api/v1/card-batches/{id}",
        "A batch's manifest and its cards",
        "card_officer (region)",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/card-batches/{id}/file",
        "The manufacturer/bank file: JSON lines, one card each (format zhengka-card-batch/1, docs/cards.md); its SHA-256 in the x-zhengka-sha256 header and the manifest",
        "card_officer (region)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/card-batches/{id}/result",
        "Import the return file (application/x-ndjson: card_number, chip_serial, bank_account per line): all lines or none; 422 invalid_return_file lists every bad line",
        "card_officer (region)",
        Some("ReturnFile"),
        200,
    ),
    ep(
        "post",
        "/api/v1/admin/dispatch-events",
        "Deliver pending outbox events now (the dispatcher runs every second)",
        "admin",
        None,
        200,
    ),
];

fn s(t: &str) -> Value {
    json!({ "type": t })
}

fn one_of(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn object(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "additionalProperties": false, "required": required, "properties": props })
}

pub fn schemas() -> Vec<(&'static str, Value)> {
    let insurance = one_of(&[
        "pension",
        "medical",
        "unemployment",
        "work_injury",
        "maternity",
    ]);
    vec![
        (
            "Enrolment",
            object(
                &["name", "start_date"],
                json!({
            "permit_number": s("string"), "notice_qr": s("string"), "name": s("string"),
            "insurances": { "type": "array", "items": insurance },
            "start_date": { "type": "string", "format": "date" } }),
            ),
        ),
        (
            "CardApplication",
            object(
                &["bank_code"],
                json!({
            "ssn": s("string"), "permit_number": s("string"), "bank_code": s("string"),
            "pickup": one_of(&["service_hall"]),
            "delivery": object(&["recipient", "phone", "address", "region_code"], json!({
                "recipient": s("string"), "phone": s("string"), "address": s("string"), "region_code": s("string") })) }),
            ),
        ),
        (
            "CardEvent",
            object(
                &["type"],
                json!({
            "type": one_of(&["produced", "shipped", "delivered", "issued_at_window", "lost", "frozen", "unfrozen", "replaced"]),
            "courier": s("string"), "tracking_number": s("string"), "note": s("string"),
            "chip_serial": s("string"), "bank_account": s("string") }),
            ),
        ),
        (
            "ReturnFile",
            json!({ "type": "string", "contentMediaType": "application/x-ndjson" }),
        ),
    ]
}
