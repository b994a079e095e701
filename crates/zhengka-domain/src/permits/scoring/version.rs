//! Which official edition of the points table to score with.

use serde::{Deserialize, Serialize};

/// The two official editions of the points table. Scores are always stored
/// with the version that produced them, so an old decision can be re-read
/// exactly even after the default changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsTableVersion {
    /// The 2017 trial edition (试行).
    // Explicit: `snake_case` alone would give "trial2017".
    #[serde(rename = "trial_2017")]
    Trial2017,
    /// The interim edition (暂行), the one in force: the default.
    #[default]
    Interim,
}
