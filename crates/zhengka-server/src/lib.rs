//! The HTTP API of zhengka. Handlers extract and authorise, call the domain
//! rule, persist state and audit event in one transaction, and return.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod authority;
pub mod credentials;
pub mod events;
pub mod http;
pub mod jobs;
mod openapi;
pub mod pdf;
pub mod providers;
pub mod web;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::{Router, middleware};
use zhengka_domain::policy::Policy;
use zhengka_store::Store;

pub use openapi::openapi_json;

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub policy: Policy,
    pub session_hours: i64,
    /// GB/T 2260 code of the issuing authority's region (the credentials' `iss`).
    pub issuer_region: String,
    /// The issuing authority's name on pages and documents.
    pub authority: authority::Authority,
    /// The zone pages show times in (stored times stay UTC).
    pub time_zone: chrono_tz::Tz,
    /// The request header a trusted reverse proxy puts the client's address in
    /// (e.g. `x-forwarded-for`); without one, the TCP peer is the client. Read
    /// for per-client limits (e-card registration).
    pub client_address_header: Option<String>,
    /// The CJK font the PDFs embed a subset of; `None` makes the PDF routes
    /// answer 503 `pdf_font_missing`.
    pub pdf_font: Option<pdf::PdfFont>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            policy: Policy::default(),
            session_hours: 12,
            issuer_region: "440000".into(),
            authority: authority::Authority::default(),
            time_zone: authority::DEFAULT_TIME_ZONE,
            client_address_header: None,
            pdf_font: pdf::PdfFont::find_default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub metrics: Arc<http::metrics::Metrics>,
    pub credentials: Arc<credentials::Credentials>,
    /// This instance's lease holder name and what its jobs did.
    pub jobs: Arc<jobs::Jobs>,
    /// Outside services (real-person check); none configured by default.
    pub providers: Arc<providers::Providers>,
}

impl AppState {
    /// State with signing keys made in memory (tests, tools).
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let credentials = credentials::Credentials::ephemeral(&config.issuer_region);
        Self::with_credentials(store, config, credentials)
    }

    pub fn with_credentials(
        store: Arc<dyn Store>,
        config: Config,
        credentials: credentials::Credentials,
    ) -> Self {
        Self {
            store,
            config: Arc::new(config),
            metrics: Arc::default(),
            credentials: Arc::new(credentials),
            jobs: Arc::default(),
            providers: Arc::default(),
        }
    }

    /// The same state with these outside services.
    pub fn with_providers(mut self, providers: providers::Providers) -> Self {
        self.providers = Arc::new(providers);
        self
    }
}

pub fn router(state: AppState) -> Router {
    api::routes()
        .into_router()
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::idempotency::guard,
        ))
        .layer(middleware::from_fn(http::retry::deadlock_victims))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(api::ops::routes().into_router())
        .merge(web::routes())
        .fallback(http::routes::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::metrics::track,
        ))
        .with_state(state)
}
