//! A fake real-person provider speaking protocol v1 (ECARD.md). What it
//! answers depends on how the probe image ends, so a test picks the case by
//! the bytes it sends (after a JPEG header): `pass`, `spoof` (liveness
//! fails), `stranger` (no match), `blurry` (score under 0.8), `slow` (3 s),
//! `crash` (500), `garbage` (HTML), anything else: an answer to another request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use serde_json::{Value, json};

pub const TOKEN: &str = "fake-provider-token";

pub type Seen = Arc<Mutex<Vec<Value>>>;

/// A probe image (a JPEG header, then the case's name).
pub fn probe(case: &str) -> String {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend_from_slice(case.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn checks(State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    seen.lock().unwrap().push(body.clone());
    if headers.get("authorization").and_then(|v| v.to_str().ok())
        != Some(&format!("Bearer {TOKEN}"))
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let probe = base64::engine::general_purpose::STANDARD
        .decode(body["probe_image"].as_str().unwrap_or(""))
        .unwrap_or_default();
    let id = body["request_id"].clone();
    let answer = |liveness: &str, m: &str, score: f64| {
        Json(json!({ "request_id": id, "liveness": liveness, "match": m, "score": score }))
            .into_response()
    };
    let is = |case: &[u8]| probe.ends_with(case);
    if is(b"pass") {
        answer("pass", "pass", 0.97)
    } else if is(b"spoof") {
        answer("fail", "pass", 0.97)
    } else if is(b"stranger") {
        answer("pass", "fail", 0.12)
    } else if is(b"blurry") {
        answer("pass", "pass", 0.55)
    } else if is(b"slow") {
        tokio::time::sleep(Duration::from_secs(3)).await;
        answer("pass", "pass", 0.97)
    } else if is(b"crash") {
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    } else if is(b"garbage") {
        "<html>gateway</html>".into_response()
    } else {
        Json(json!({ "request_id": "someone-else", "liveness": "pass", "match": "pass", "score": 1.0 }))
            .into_response()
    }
}

/// Start the fake on a free port: its URL, and what it was sent.
pub async fn start() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/v1/checks", post(checks))
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}
