//! Who is calling, and what they may touch.

pub(crate) mod api_credential;
pub(crate) mod caller;
pub mod password;
pub mod rate_limit;
pub mod token;
pub mod totp;

pub use caller::Caller;
