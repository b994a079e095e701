//! The points tables, one value per official version.
//!
//! Decisions where the published table is ambiguous:
//!
//! - **Ranges are lower-inclusive, upper-exclusive.** The interim edition
//!   speaks of "closed ranges" but publishes touching bounds ("35-45",
//!   "25-35"), so a value on a bound must go one way: it goes up. An annual
//!   salary of exactly 350,000 CNY scores 17, 349,999 CNY scores 14. The
//!   same holds for months in China ("6-9": 6 scores 10, 9 scores 15).
//! - **Salary is compared in whole CNY**, never converted to 10k CNY, so no
//!   rounding can move an applicant across a bound.
//! - **Age bands are whole years** (18-25, 26-45, 46-55, 56-60), so they do
//!   not touch; under 18 and over 60 score 0.
//! - **The trial (2017) edition.** We have no authoritative copy of its full
//!   table. It is modelled as the interim table except where the design
//!   notes (DOMAIN.md) name a difference: work experience is capped at 15
//!   instead of 20, and a former Chinese national scores 10 instead of 5
//!   (the notes say "up to 10"; we give the maximum, as there is no
//!   published rule to grade it). Any other difference of the real trial
//!   edition is not modelled.

use super::PointsTableVersion;
use super::input::MAX_PROVINCIAL_BONUS;

/// A banded item: the first band whose lower bound the value reaches wins.
/// Bands are listed from the highest bound down; below the last band: 0.
pub(crate) struct Band<T> {
    pub(crate) at_least: T,
    pub(crate) points: u32,
}

/// An age band, both ends inclusive, in whole years.
pub(crate) struct AgeBand {
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) points: u32,
}

/// Work experience: nothing below `min_years`, `base_points` at
/// `min_years`, one more per further year, never above `cap`.
pub(crate) struct ExperienceRule {
    pub(crate) min_years: u32,
    pub(crate) base_points: u32,
    pub(crate) cap: u32,
}

pub(crate) struct PointsTable {
    pub(crate) salary_cny: &'static [Band<u64>],
    pub(crate) months_in_china: &'static [Band<u32>],
    pub(crate) age: &'static [AgeBand],
    pub(crate) experience: ExperienceRule,
    pub(crate) doctorate: u32,
    pub(crate) master: u32,
    pub(crate) bachelor: u32,
    /// HSK 5 or above, or a degree taught in Chinese.
    pub(crate) chinese_fluent: u32,
    /// HSK levels 1 to 4, in that order.
    pub(crate) hsk_1_to_4: [u32; 4],
    pub(crate) former_chinese_national: u32,
    pub(crate) designated_location: u32,
    /// Each of: top university, Fortune Global 500, patents, five years.
    pub(crate) extra: u32,
    pub(crate) max_provincial_bonus: u32,
}

const SALARY_CNY: &[Band<u64>] = &[
    Band {
        at_least: 450_000,
        points: 20,
    },
    Band {
        at_least: 350_000,
        points: 17,
    },
    Band {
        at_least: 250_000,
        points: 14,
    },
    Band {
        at_least: 150_000,
        points: 11,
    },
    Band {
        at_least: 70_000,
        points: 8,
    },
    Band {
        at_least: 50_000,
        points: 5,
    },
];

const MONTHS_IN_CHINA: &[Band<u32>] = &[
    Band {
        at_least: 9,
        points: 15,
    },
    Band {
        at_least: 6,
        points: 10,
    },
    Band {
        at_least: 3,
        points: 5,
    },
];

const AGE: &[AgeBand] = &[
    AgeBand {
        from: 18,
        to: 25,
        points: 10,
    },
    AgeBand {
        from: 26,
        to: 45,
        points: 15,
    },
    AgeBand {
        from: 46,
        to: 55,
        points: 10,
    },
    AgeBand {
        from: 56,
        to: 60,
        points: 5,
    },
];

const INTERIM: PointsTable = PointsTable {
    salary_cny: SALARY_CNY,
    months_in_china: MONTHS_IN_CHINA,
    age: AGE,
    experience: ExperienceRule {
        min_years: 2,
        base_points: 5,
        cap: 20,
    },
    doctorate: 20,
    master: 15,
    bachelor: 10,
    chinese_fluent: 5,
    hsk_1_to_4: [1, 2, 3, 4],
    former_chinese_national: 5,
    designated_location: 10,
    extra: 5,
    max_provincial_bonus: MAX_PROVINCIAL_BONUS,
};

/// The interim table with the two differences the design notes name.
const TRIAL_2017: PointsTable = PointsTable {
    experience: ExperienceRule {
        cap: 15,
        ..INTERIM.experience
    },
    former_chinese_national: 10,
    ..INTERIM
};

impl PointsTable {
    pub(crate) fn for_version(version: PointsTableVersion) -> &'static Self {
        match version {
            PointsTableVersion::Interim => &INTERIM,
            PointsTableVersion::Trial2017 => &TRIAL_2017,
        }
    }
}

// Only the tests need the ceiling: it is what the property tests hold the
// scorer to, computed from the same data so the two cannot drift.
#[cfg(test)]
impl PointsTable {
    /// The most any applicant can score: the best band of every item, all
    /// four extras and the full provincial bonus.
    pub(crate) fn max_total(&self) -> u32 {
        let best_age = self.age.iter().map(|b| b.points).max().unwrap_or(0);
        best_band(self.salary_cny)
            + self.doctorate
            + self.experience.cap
            + best_band(self.months_in_china)
            + self.best_chinese()
            + self.designated_location
            + best_age
            + 4 * self.extra
            + self.max_provincial_bonus
    }

    fn best_chinese(&self) -> u32 {
        let others = [self.chinese_fluent, self.former_chinese_national];
        self.hsk_1_to_4.into_iter().chain(others).max().unwrap_or(0)
    }
}

#[cfg(test)]
fn best_band<T>(bands: &[Band<T>]) -> u32 {
    bands.iter().map(|b| b.points).max().unwrap_or(0)
}
