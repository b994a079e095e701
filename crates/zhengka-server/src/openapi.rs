//! The OpenAPI 3.1 document, built from the table of endpoints below. A test
//! drives every entry through the real router, so the table cannot list a route
//! that does not exist; `router_routes_are_documented` checks the other way.

use serde_json::{Map, Value, json};

pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub roles: &'static str,
    pub body: Option<&'static str>,
    pub ok: u16,
}

pub(crate) const fn ep(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    roles: &'static str,
    body: Option<&'static str>,
    ok: u16,
) -> Endpoint {
    Endpoint {
        method,
        path,
        summary,
        roles,
        body,
        ok,
    }
}

pub const ENDPOINTS: &[Endpoint] = &[
    ep(
        "post",
        "/api/v1/sessions",
        "Sign in",
        "public",
        Some("SignIn"),
        201,
    ),
    ep(
        "delete",
        "/api/v1/sessions/current",
        "Sign out",
        "any signed-in user",
        None,
        204,
    ),
    ep(
        "post",
        "/api/v1/employers",
        "Register an employer",
        "admin",
        Some("NewEmployer"),
        201,
    ),
    ep(
        "get",
        "/api/v1/employers",
        "List employers",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/employers/{id}",
        "One employer",
        "admin, employer_agent (own)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/users",
        "Create a user",
        "admin",
        Some("NewUser"),
        201,
    ),
    ep(
        "get",
        "/api/v1/users/me",
        "The signed-in user",
        "any signed-in user",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/applications",
        "File a draft application",
        "employer_agent",
        Some("ApplicationForm"),
        201,
    ),
    ep(
        "get",
        "/api/v1/applications",
        "List applications (?status=in_progress for work in progress)",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/applications/{id}",
        "One application with its history",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep(
        "put",
        "/api/v1/applications/{id}",
        "Replace the form of a draft or returned application",
        "employer_agent (own)",
        Some("ApplicationForm"),
        200,
    ),
    ep(
        "post",
        "/api/v1/applications/{id}/submit",
        "Submit a draft or returned application",
        "employer_agent (own)",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/applications/{id}/decisions",
        "Decide a review step",
        "permit_officer (region)",
        Some("Decision"),
        200,
    ),
    ep(
        "get",
        "/api/v1/permits",
        "List permits",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/permits/{permit_number}",
        "The permit record",
        "employer_agent (own), officers (region), police_officer, admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/permits/{permit_number}/entry",
        "Record the holder's entry date",
        "employer_agent (own), permit_officer (region)",
        Some("Entry"),
        200,
    ),
    ep(
        "post",
        "/api/v1/permits/{permit_number}/onsite-verifications",
        "Record the 30-day on-site check",
        "permit_officer (region)",
        Some("OnsiteCheck"),
        200,
    ),
    ep(
        "get",
        "/api/v1/audit",
        "The audit trail",
        "admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/audit/verify",
        "Verify the audit hash chain",
        "admin",
        None,
        200,
    ),
    ep(
        "post",
        "/api/v1/applications/{id}/materials",
        "Upload a material (query: kind, file_name; body: the raw PDF, PNG or JPEG file, at most 5 MiB, type decided by content)",
        "employer_agent (own, draft or returned)",
        Some("File"),
        201,
    ),
    ep(
        "get",
        "/api/v1/applications/{id}/materials",
        "The materials of an application",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep(
        "get",
        "/api/v1/applications/{id}/materials/{material_id}",
        "Download a material (as an attachment, typed as found at upload)",
        "employer_agent (own), permit_officer (region), admin",
        None,
        200,
    ),
    ep("get", "/healthz", "Health", "public", None, 200),
    ep("get", "/metrics", "Prometheus metrics", "public", None, 200),
    ep("get", "/openapi.json", "This document", "public", None, 200),
];

fn operation(e: &Endpoint) -> Value {
    let mut op = json!({
        "summary": e.summary,
        "description": format!("Roles: {}.", e.roles),
        "responses": {
            e.ok.to_string(): { "description": "success" },
            "default": { "description": "error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
    });
    if e.roles != "public" {
        op["security"] = json!([{ "bearer": [] }]);
    }
    if e.method == "post" || e.method == "put" || e.method == "delete" {
        op["parameters"] = json!([{ "name": "Idempotency-Key", "in": "header", "required": false, "schema": { "type": "string", "maxLength": 255 } }]);
    }
    let params: Vec<Value> = e
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    if !params.is_empty() {
        let list = op["parameters"].as_array().cloned().unwrap_or_default();
        op["parameters"] = Value::Array(list.into_iter().chain(params).collect());
    }
    if e.body == Some("File") {
        op["requestBody"] = json!({ "required": true, "content": { "application/octet-stream": { "schema": { "type": "string", "contentMediaType": "application/octet-stream" } } } });
        let mut list = op["parameters"].as_array().cloned().unwrap_or_default();
        list.push(json!({ "name": "kind", "in": "query", "required": true, "schema": { "type": "string", "example": "passport_copy" } }));
        list.push(json!({ "name": "file_name", "in": "query", "required": true, "schema": { "type": "string", "maxLength": 200 } }));
        op["parameters"] = Value::Array(list);
    } else if e.body == Some("ReturnFile") {
        op["requestBody"] = json!({ "required": true, "content": { "application/x-ndjson": { "schema": { "$ref": "#/components/schemas/ReturnFile" } } } });
    } else if let Some(body) = e.body {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
    }
    op
}

pub fn openapi_json() -> Value {
    let mut paths = Map::new();
    for e in ENDPOINTS.iter().chain(super::openapi_card_side::CARD_SIDE) {
        let entry = paths.entry(e.path).or_insert_with(|| json!({}));
        entry[e.method] = operation(e);
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "zhengka", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Work permits and social security cards for foreigners (证卡合一). See docs/API-DESIGN.md." },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas()
        }
    })
}

fn schemas() -> Value {
    let mut all = super::openapi_schemas::schemas();
    for (name, schema) in super::openapi_card_side::schemas() {
        all[name] = schema;
    }
    all
}
