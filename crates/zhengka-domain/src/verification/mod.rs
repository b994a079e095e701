//! The verification context: who may check a card for what, what each
//! purpose discloses, and the one-card service catalogue the card opens.

pub mod services;

pub use services::{Sector, Service, ServiceInput, parse_import};
