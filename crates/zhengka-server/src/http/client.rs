//! Who is asking, as far as the network tells: the client's address, for
//! per-client limits. Behind a reverse proxy the deployment names the header
//! the proxy sets (its last entry is the one the proxy saw); otherwise the
//! TCP peer (`serve` records it with each connection).

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Infallible> {
        let from_proxy = app
            .config
            .client_address_header
            .as_deref()
            .and_then(|h| parts.headers.get(h))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        let address = match from_proxy {
            Some(a) => a.to_owned(),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        };
        Ok(Self(address))
    }
}
