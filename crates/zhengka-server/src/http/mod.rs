//! HTTP plumbing shared by every handler: the error type, JSON extraction,
//! idempotency, metrics.

mod error;
pub mod idempotency;
mod json;
pub mod metrics;

pub use error::{invalid_at, ApiError};
pub use json::{parse as parse_json, ApiJson, ApiQuery};
