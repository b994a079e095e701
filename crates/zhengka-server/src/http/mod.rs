//! HTTP plumbing shared by every handler: the error type, JSON extraction,
//! idempotency, metrics.

pub mod client;
mod error;
pub mod idempotency;
mod json;
pub mod metrics;
pub mod retry;
pub mod routes;

pub use error::{ApiError, STATUS_INDEX_TAKEN, invalid_at};
pub use json::{ApiPath, ApiQuery, JsonBody, parse as parse_json};
