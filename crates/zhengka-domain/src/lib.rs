//! Domain of zhengka: the types and rules of foreigners' work permits and their
//! integration with social security cards.
//!
//! Invariant: no I/O, no clock, no async. Time is always a parameter.
#![forbid(unsafe_code)]

pub mod cards;
pub mod ecard;
pub mod employer;
pub mod error;
pub mod events;
pub mod ids;
pub mod permits;
pub mod policy;
pub mod social_security;
#[cfg(test)]
mod testing;
pub mod time;
pub mod verification;

pub use error::{FieldError, InvalidValue, RuleError};
