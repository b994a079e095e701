//! The points score: every item of the table, and their sum.

use serde::{Deserialize, Serialize};

use super::input::ScoringInput;
use super::table::PointsTable;
use super::version::PointsTableVersion;
use crate::InvalidValue;

/// One line of the points table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreItem {
    Salary,
    Education,
    WorkExperience,
    MonthsInChina,
    ChineseLanguage,
    WorkLocation,
    Age,
    TopUniversity,
    // Explicit: `snake_case` alone would give "fortune_global500".
    #[serde(rename = "fortune_global_500")]
    FortuneGlobal500,
    Patents,
    FiveYearsInChina,
    ProvincialBonus,
}

impl ScoreItem {
    /// Every item, in the order of the published table.
    pub(crate) const ALL: [ScoreItem; 12] = [
        ScoreItem::Salary,
        ScoreItem::Education,
        ScoreItem::WorkExperience,
        ScoreItem::MonthsInChina,
        ScoreItem::ChineseLanguage,
        ScoreItem::WorkLocation,
        ScoreItem::Age,
        ScoreItem::TopUniversity,
        ScoreItem::FortuneGlobal500,
        ScoreItem::Patents,
        ScoreItem::FiveYearsInChina,
        ScoreItem::ProvincialBonus,
    ];
}

/// The points one item earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct ItemScore {
    pub item: ScoreItem,
    pub points: u32,
}

/// A points score. `items` always lists all twelve items in table order,
/// zeros included, so an officer sees what was scored and what was not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Score {
    pub version: PointsTableVersion,
    pub total: u32,
    pub items: Vec<ItemScore>,
}

/// Scores `input` under the given version of the table.
///
/// Errors: `invalid_average_wage`, `invalid_months_in_china`, `invalid_age`,
/// `invalid_provincial_bonus` (the first bad field, in field order).
pub fn score(input: &ScoringInput, version: PointsTableVersion) -> Result<Score, InvalidValue> {
    input.validate()?;
    let table = PointsTable::for_version(version);
    let items: Vec<ItemScore> = ScoreItem::ALL
        .into_iter()
        .map(|item| ItemScore {
            item,
            points: table.points_for(item, input),
        })
        .collect();
    let total = items.iter().map(|line| line.points).sum();
    Ok(Score {
        version,
        total,
        items,
    })
}
