//! Registering API routes through one place that records each (method, path),
//! so the OpenAPI document can be checked against what the server answers
//! (`openapi::tests`), and so every route gets the same 405 envelope.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};

use super::ApiError;
use crate::AppState;

/// The HTTP methods the API uses, named as in the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Delete => "delete",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// A router under construction and the record of what it answers.
#[derive(Default)]
pub struct Routes {
    paths: Vec<(&'static str, MethodRouter<AppState>)>,
    record: Vec<(Verb, &'static str)>,
}

impl Routes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Answer `verb path` with `handler`.
    pub fn on<H, T>(mut self, verb: Verb, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        assert!(
            !self.record.contains(&(verb, path)),
            "{verb:?} {path} registered twice"
        );
        self.record.push((verb, path));
        let route = on(verb.filter(), handler);
        match self.paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(route),
            None => self.paths.push((path, route)),
        }
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.on(Verb::Get, path, h)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.on(Verb::Post, path, h)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.on(Verb::Put, path, h)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.on(Verb::Delete, path, h)
    }

    /// Allow request bodies up to `bytes` on `path` (file uploads).
    pub fn body_limit(mut self, path: &'static str, bytes: usize) -> Self {
        let (_, route) = self
            .paths
            .iter_mut()
            .find(|(p, _)| *p == path)
            .expect("body_limit on a registered path");
        *route = std::mem::take(route).layer(DefaultBodyLimit::max(bytes));
        self
    }

    /// Every (method, path) registered, in registration order.
    pub fn record(&self) -> &[(Verb, &'static str)] {
        &self.record
    }

    /// The router; a known path asked with another method answers 405 with
    /// the error envelope (and axum's `Allow` header).
    pub fn into_router(self) -> Router<AppState> {
        self.paths
            .into_iter()
            .fold(Router::new(), |router, (path, route)| {
                router.route(path, route.fallback(method_not_allowed))
            })
    }
}

async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// The fallback of the whole server: unknown `/api/...` paths get the error
/// envelope; other paths the 404 page in the visitor's language.
pub async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::UnknownPath.into_response()
    } else {
        crate::web::not_found_page(&headers)
    }
}
