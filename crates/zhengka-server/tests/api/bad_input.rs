//! Bad input: every refusal has its exact status, code and field, and writes
//! nothing. This file holds the shared checks and the body-parsing cases; the
//! other cases live in `bad_input_*.rs`.

use reqwest::Method;
use serde_json::Value;
use zhengka_store::ApplicationFilter;
use zhengka_store::prelude::*;

use crate::helpers::*;

pub const APPS: &str = "/api/v1/applications";

/// What a refusal must be: status, code, field.
pub type Want<'a> = (u16, &'a str, Option<&'a str>);

/// Everything a refused request must leave as it was.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    audit: usize,
    users: i64,
    employers: Value,
    applications: Value,
    permits: Value,
}

pub async fn snapshot(app: &TestApp) -> Snapshot {
    let filter = ApplicationFilter {
        limit: 10_000,
        ..ApplicationFilter::default()
    };
    let applications = app.store.list_applications(&filter).await.unwrap().items;
    let employers = app.store.list_employers(None, 10_000).await.unwrap();
    let permits = app
        .store
        .list_permits(None, None, None, 10_000)
        .await
        .unwrap();
    Snapshot {
        audit: app.audit_count().await,
        users: app.store.count_users().await.unwrap(),
        employers: serde_json::to_value(employers).unwrap(),
        applications: serde_json::to_value(applications).unwrap(),
        permits: serde_json::to_value(permits).unwrap(),
    }
}

/// Assert the exact refusal and that the stored state is as in `before`.
pub async fn refused(app: &TestApp, before: &Snapshot, label: &str, r: &Response, want: Want<'_>) {
    let (code, field) = r.error();
    assert_eq!(
        (r.status, code, field),
        want,
        "[{}] {label}: {:?}",
        app.backend,
        r.body
    );
    assert!(
        snapshot(app).await == *before,
        "[{}] {label}: a refused request wrote something",
        app.backend
    );
}

/// Any request with a raw body and an optional Content-Type.
pub async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, &str)],
) -> Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .body(body);
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.expect("request sent");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Response { status, body }
}

pub async fn post_json_text(app: &TestApp, path: &str, token: &str, text: &str) -> Response {
    raw(
        app,
        Method::POST,
        path,
        token,
        Some("application/json"),
        text.to_owned(),
        &[],
    )
    .await
}

/// A copy of `v` with the value at the dotted `path` replaced (or removed when
/// `with` is `None`).
pub fn edit(v: &Value, path: &str, with: Option<Value>) -> Value {
    let mut out = v.clone();
    let mut keys: Vec<&str> = path.split('.').collect();
    let last = keys.pop().unwrap();
    let mut node = &mut out;
    for k in keys {
        node = node
            .get_mut(k)
            .unwrap_or_else(|| panic!("no {k} in {path}"));
    }
    let obj = node.as_object_mut().unwrap();
    match with {
        Some(w) => {
            obj.insert(last.to_owned(), w);
        }
        None => {
            assert!(obj.remove(last).is_some(), "no {path} to remove");
        }
    }
    out
}

/// The endpoints that read a JSON body, each with a caller allowed to call it.
async fn json_endpoints(app: &TestApp) -> Vec<(Method, String, String)> {
    let (_, agent, officer) = app.cast().await;
    let created = app.post(APPS, &agent, &new_from_abroad("E10000001")).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    vec![
        (Method::POST, APPS.to_owned(), agent.clone()),
        (Method::PUT, format!("{APPS}/{id}"), agent.clone()),
        (Method::POST, format!("{APPS}/{id}/decisions"), officer),
        (Method::POST, "/api/v1/employers".into(), app.admin.clone()),
        (Method::POST, "/api/v1/users".into(), app.admin.clone()),
        (Method::POST, "/api/v1/sessions".into(), String::new()),
    ]
}

#[tokio::test]
async fn malformed_json_is_400_everywhere() {
    each_backend(|app| async move {
        let endpoints = json_endpoints(&app).await;
        let valid = new_from_abroad("E10000002").to_string();
        let bodies: Vec<(&str, Vec<u8>)> = vec![
            ("truncated", valid.as_bytes()[..valid.len() / 2].to_vec()),
            ("not JSON", b"kind=new_from_abroad&position=x".to_vec()),
            ("trailing garbage", format!("{valid} garbage").into_bytes()),
            ("two documents", format!("{valid}{valid}").into_bytes()),
            ("empty", vec![]),
            ("whitespace only", b"  \n ".to_vec()),
            ("single quotes", b"{'kind': 'new_from_abroad'}".to_vec()),
            ("trailing comma", b"{\"kind\": \"extension\",}".to_vec()),
            ("invalid UTF-8", b"{\"kind\": \"\xff\xfe\"}".to_vec()),
            ("lone surrogate", br#"{"kind": "\ud800"}"#.to_vec()),
            ("NaN", b"{\"kind\": NaN}".to_vec()),
        ];
        let before = snapshot(&app).await;
        for (method, path, token) in &endpoints {
            for (label, body) in &bodies {
                let r = raw(
                    &app,
                    method.clone(),
                    path,
                    token,
                    Some("application/json"),
                    body.clone(),
                    &[],
                )
                .await;
                let label = format!("{method} {path}: {label}");
                refused(&app, &before, &label, &r, (400, "malformed_json", None)).await;
            }
        }
        // Valid JSON of the wrong shape is a 422, not a 400.
        for (label, text) in [
            ("null", "null"),
            ("string", "\"x\""),
            ("number", "42"),
            ("bool", "true"),
            ("array", "[\"new_from_abroad\"]"),
            ("empty array", "[]"),
        ] {
            let r = post_json_text(&app, APPS, &endpoints[0].2, text).await;
            refused(&app, &before, label, &r, (422, "invalid_type", None)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn only_json_is_accepted() {
    each_backend(|app| async move {
        let endpoints = json_endpoints(&app).await;
        let body = new_from_abroad("E10000003").to_string();
        let before = snapshot(&app).await;
        for (method, path, token) in &endpoints {
            for ct in [
                None,
                Some("text/plain"),
                Some("application/x-www-form-urlencoded"),
                Some("multipart/form-data; boundary=x"),
                Some("application/xml"),
            ] {
                let r = raw(&app, method.clone(), path, token, ct, body.clone(), &[]).await;
                let label = format!("{method} {path} as {ct:?}");
                let want = (415, "unsupported_media_type", None);
                refused(&app, &before, &label, &r, want).await;
            }
            // No body at all and no type: still 415, never 500.
            let r = raw(&app, method.clone(), path, token, None, "", &[]).await;
            let label = format!("{method} {path} without a body");
            refused(
                &app,
                &before,
                &label,
                &r,
                (415, "unsupported_media_type", None),
            )
            .await;
        }
        // A charset parameter is fine.
        let (_, _, agent) = &endpoints[0];
        let r = raw(
            &app,
            Method::POST,
            APPS,
            agent,
            Some("application/json; charset=utf-8"),
            body,
            &[],
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    })
    .await;
}
