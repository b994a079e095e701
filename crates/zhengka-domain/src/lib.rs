//! Domain of zhengka: the types and rules of foreigners' work permits and their
//! integration with social security cards.
//!
//! Invariant: no I/O, no clock, no async. Time is always a parameter.
#![forbid(unsafe_code)]

pub mod application;
pub mod employer;
pub mod error;
pub mod ids;
pub mod permit;
pub mod policy;
pub mod scoring;
pub mod time;

pub use error::{FieldError, InvalidValue, RuleError};
