//! A write that PostgreSQL failed to break a lock cycle changed nothing (it
//! rolled back to its savepoint): two writes on the same records at once, in
//! two write lanes or on two instances, each waiting for the other's batch.
//! Its request is run again once its rival can have committed, so the client
//! gets the answer its turn gives (say `holder_has_active_permit`) instead of
//! a bare conflict. Only bodies of a known length up to the API's limit are
//! kept for a second run; larger ones (uploads) go through once.

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::MAX_BODY_BYTES;

/// Runs of a request after the first, when each lost a lock cycle.
const AGAIN: usize = 2;

/// Put on a response by [`super::ApiError`] for a deadlock victim.
#[derive(Clone, Copy, Debug)]
pub struct DeadlockVictim;

pub async fn deadlock_victims(req: Request, next: Next) -> Response {
    let keeps = matches!(*req.method(), Method::POST | Method::PUT | Method::DELETE)
        && known_length(&req).is_some_and(|n| n <= MAX_BODY_BYTES);
    if !keeps {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        // As the idempotency guard answers a body it cannot read whole.
        return ApiError::PayloadTooLarge.into_response();
    };
    let mut left = AGAIN;
    loop {
        let req = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let response = next.clone().run(req).await;
        if left == 0 || response.extensions().get::<DeadlockVictim>().is_none() {
            return response;
        }
        left -= 1;
        // The route's template, never the raw path: some carry an SSN.
        let route = parts
            .extensions
            .get::<MatchedPath>()
            .map(MatchedPath::as_str);
        tracing::info!(route, "a write lost a lock cycle; running it again");
    }
}

fn known_length(req: &Request) -> Option<usize> {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .or_else(|| {
            req.headers()
                .get(header::TRANSFER_ENCODING)
                .is_none()
                .then_some(0)
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::http::StatusCode;
    use axum::routing::post;

    use super::*;
    use zhengka_store::{StoreError, WRITE_DEADLOCK};

    /// A handler that loses a lock cycle `losses` times, then answers 201
    /// with the body it read.
    async fn serve(losses: usize) -> (String, Arc<AtomicUsize>) {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&runs);
        let app = Router::new()
            .route(
                "/w",
                post(move |body: String| {
                    let runs = Arc::clone(&counted);
                    async move {
                        if runs.fetch_add(1, Ordering::SeqCst) < losses {
                            return ApiError::from(StoreError::conflict(WRITE_DEADLOCK))
                                .into_response();
                        }
                        (StatusCode::CREATED, body).into_response()
                    }
                }),
            )
            .layer(axum::middleware::from_fn(deadlock_victims));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/w", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, runs)
    }

    #[tokio::test]
    async fn a_deadlock_victim_runs_again_with_its_body_and_at_most_twice_more() {
        let client = reqwest::Client::new();
        let (url, runs) = serve(1).await;
        let r = client.post(&url).body("same body").send().await.unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.text().await.unwrap(), "same body");
        assert_eq!(runs.load(Ordering::SeqCst), 2);

        let (url, runs) = serve(usize::MAX).await;
        let r = client.post(&url).body("x").send().await.unwrap();
        assert_eq!(r.status(), 409);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "write_deadlock");
        assert_eq!(runs.load(Ordering::SeqCst), 1 + AGAIN);
    }
}
