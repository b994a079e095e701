//! The permits context: applications of every kind and their review, the A/B/C
//! points scoring, and the permit record with its validity, on-site check and
//! migration from the physical permit.

pub mod application;
pub mod permit;
pub mod scoring;
