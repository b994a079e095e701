//! The OpenAPI 3.1 document, built from the table of endpoints in
//! `endpoints.rs`. Routes are registered through `http::routes::Routes`, which
//! records each (method, path); a test below compares that record with the
//! table both ways, so an operation cannot be served undocumented (or
//! documented but not served).

mod card_side;
mod checks;
mod ecard;
mod ecard_devices;
mod ecard_holder;
mod ecard_notifications;
mod endpoints;
mod federation;
mod gates;
mod schemas;
mod verification;
mod webhooks;

use serde_json::{Map, Value, json};

pub use endpoints::ENDPOINTS;

pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub roles: &'static str,
    pub body: Option<&'static str>,
    pub ok: u16,
    /// Optional query parameters (`limit` is an integer, the rest strings).
    pub query: &'static [&'static str],
    /// The content type of a success that is not JSON.
    pub produces: Option<&'static str>,
}

const fn ep(
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
        query: &[],
        produces: None,
    }
}

impl Endpoint {
    const fn query(mut self, names: &'static [&'static str]) -> Self {
        self.query = names;
        self
    }

    const fn produces(mut self, content_type: &'static str) -> Self {
        self.produces = Some(content_type);
        self
    }
}

fn success(e: &Endpoint) -> Value {
    match (e.ok, e.produces) {
        (204, _) => json!({ "description": "success, no body" }),
        (_, Some(t)) => {
            json!({ "description": "success", "content": { t: { "schema": { "type": "string" } } } })
        }
        _ => {
            json!({ "description": "success", "content": { "application/json": { "schema": { "type": "object" } } } })
        }
    }
}

fn query_parameter(name: &str) -> Value {
    let ty = if name == "limit" { "integer" } else { "string" };
    json!({ "name": name, "in": "query", "required": false, "schema": { "type": ty } })
}

fn operation(e: &Endpoint) -> Value {
    let mut op = json!({
        "summary": e.summary,
        "description": format!("Roles: {}.", e.roles),
        "responses": {
            e.ok.to_string(): success(e),
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
    let params: Vec<Value> = params
        .into_iter()
        .chain(e.query.iter().map(|q| query_parameter(q)))
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
    } else if e.body == Some("ServiceImport") {
        op["requestBody"] = json!({ "required": true, "content": {
            "text/csv": { "schema": { "$ref": "#/components/schemas/ServiceImport" } },
            "application/x-ndjson": { "schema": { "type": "string" } } } });
    } else if e.body == Some("GateLogBatch") {
        op["requestBody"] = json!({ "required": true, "content": { "application/cose": { "schema": { "$ref": "#/components/schemas/GateLogBatch" } } } });
    } else if e.body == Some("ReturnFile") {
        op["requestBody"] = json!({ "required": true, "content": { "application/x-ndjson": { "schema": { "$ref": "#/components/schemas/ReturnFile" } } } });
    } else if let Some(body) = e.body {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{body}") } } } });
    }
    op
}

/// Every context's table of operations (one line per context).
const SECTIONS: &[&[Endpoint]] = &[
    ENDPOINTS,
    card_side::CARD_SIDE,
    ecard::ECARD,
    ecard_devices::ECARD_DEVICES,
    ecard_holder::ECARD_HOLDER,
    verification::VERIFICATION,
    verification::RELYING_PARTIES,
    ecard_notifications::ECARD_NOTIFICATIONS,
    checks::CHECKS,
    gates::GATES,
    federation::FEDERATION,
    webhooks::WEBHOOKS,
];

/// Every documented operation, context by context.
pub fn all_endpoints() -> impl Iterator<Item = &'static Endpoint> {
    SECTIONS.iter().flat_map(|s| s.iter())
}

fn all_schemas() -> Value {
    let mut all = schemas::schemas();
    let sections = card_side::schemas()
        .into_iter()
        .chain(ecard::schemas())
        .chain(ecard_devices::schemas())
        .chain(verification::schemas())
        .chain(checks::schemas())
        .chain(gates::schemas())
        .chain(federation::schemas())
        .chain(webhooks::schemas());
    for (name, schema) in sections {
        all[name] = schema;
    }
    all
}

pub fn openapi_json() -> Value {
    let mut paths = Map::new();
    for e in all_endpoints() {
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
            "schemas": all_schemas()
        }
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::all_endpoints;

    /// Every route the server registers is in the document, and every
    /// documented operation is a registered route.
    #[test]
    fn every_route_is_documented() {
        let (api, ops) = (crate::api::routes(), crate::api::ops::routes());
        let served: BTreeSet<(&str, &str)> = api
            .record()
            .iter()
            .chain(ops.record())
            .map(|(verb, path)| (verb.as_str(), *path))
            .collect();
        let documented: BTreeSet<(&str, &str)> =
            all_endpoints().map(|e| (e.method, e.path)).collect();
        assert_eq!(
            documented.len(),
            all_endpoints().count(),
            "an operation is listed twice"
        );
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(
            undocumented.is_empty(),
            "served but not documented: {undocumented:?}"
        );
        assert!(
            unserved.is_empty(),
            "documented but not served: {unserved:?}"
        );
    }

    #[test]
    fn bodies_name_known_schemas() {
        let doc = super::openapi_json();
        for e in all_endpoints() {
            if let Some(body) = e.body.filter(|b| *b != "File") {
                assert!(
                    doc["components"]["schemas"].get(body).is_some(),
                    "{} {}: no schema {body}",
                    e.method,
                    e.path
                );
            }
        }
    }
}
