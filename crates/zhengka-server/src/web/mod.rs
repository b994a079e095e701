//! Server-rendered pages for people (employers, officers, verifiers, admin).
//! They call the same domain rules and storage as the API.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
