//! Points and class of the "Classification Standard for Foreigners Working in
//! China" (外国人来华工作分类标准).
//!
//! [`score`] turns a [`ScoringInput`] into points per item under one
//! [`PointsTableVersion`]; [`classify`] adds the class decision (A, B or C)
//! and which criterion decided it. Both are pure: same input, same answer.
//!
//! Where the official table is ambiguous, the choice made is documented on
//! the table itself (`table.rs`): ranges are lower-inclusive, upper-exclusive.

mod classify;
mod input;
mod items;
mod points;
mod region;
mod table;
mod version;

#[cfg(test)]
mod tests;

pub use classify::{ClassBasis, Classification, WorkerClass, classify};
pub use input::{ChineseLanguage, Education, ScoringInput};
pub use points::{ItemScore, Score, ScoreItem, score};
pub use region::is_designated_province;
pub use version::PointsTableVersion;
