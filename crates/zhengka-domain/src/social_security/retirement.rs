//! The statutory retirement age, which decides who is "over age" for social
//! insurance.
//!
//! Since 2025-01-01 (NPC Standing Committee decision of 2024-09-13) the age
//! rises gradually: a person whose retirement would have fallen in or after
//! January 2025 retires one month later for every `step_months` months past
//! that, up to `max_extra_months`. Men: 60 years, +1 month every 4, up to 36.
//! Women: 55 (or 50 for workers), +1 every 4 (every 2), up to 36 (60). Which rule
//! applies to whom is province policy, so every figure is configuration.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::InsuranceKind;
use crate::permits::application::form::Sex;
use crate::time::add_months_capped;

/// One retirement schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetirementRule {
    pub base_years: u32,
    /// First month (year, month) whose retirements are postponed.
    pub from_year: i32,
    pub from_month: u32,
    pub step_months: u32,
    pub max_extra_months: u32,
}

impl RetirementRule {
    pub const MEN_2025: Self = Self {
        base_years: 60,
        from_year: 2025,
        from_month: 1,
        step_months: 4,
        max_extra_months: 36,
    };
    pub const WOMEN_55_2025: Self = Self {
        base_years: 55,
        ..Self::MEN_2025
    };
    pub const WOMEN_50_2025: Self = Self {
        base_years: 50,
        step_months: 2,
        max_extra_months: 60,
        ..Self::MEN_2025
    };

    /// The day a person born on `date_of_birth` reaches retirement age.
    pub fn retirement_date(&self, date_of_birth: NaiveDate) -> NaiveDate {
        let original = add_months_capped(date_of_birth, self.base_years * 12);
        let months_past =
            month_index(original) - (self.from_year * 12 + self.from_month as i32 - 1);
        let extra = if months_past < 0 {
            0
        } else {
            (months_past as u32 / self.step_months.max(1) + 1).min(self.max_extra_months)
        };
        add_months_capped(original, extra)
    }
}

fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// What a province sets for social insurance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocialSecurityPolicy {
    pub men: RetirementRule,
    pub women: RetirementRule,
    /// Passports may say "X"; the province decides which schedule applies.
    pub unspecified: RetirementRule,
    /// Insurances an over-age holder cannot join (pension at least).
    pub over_age_excluded: Vec<InsuranceKind>,
    /// Days after the permit's start within which the employer registers the
    /// foreign employee.
    pub registration_days: u32,
}

impl Default for SocialSecurityPolicy {
    fn default() -> Self {
        Self {
            men: RetirementRule::MEN_2025,
            women: RetirementRule::WOMEN_55_2025,
            unspecified: RetirementRule::MEN_2025,
            over_age_excluded: vec![InsuranceKind::Pension],
            registration_days: 30,
        }
    }
}

impl SocialSecurityPolicy {
    pub fn rule_for(&self, sex: Sex) -> &RetirementRule {
        match sex {
            Sex::Male => &self.men,
            Sex::Female => &self.women,
            Sex::Unspecified => &self.unspecified,
        }
    }

    /// Whether someone is at or above retirement age on `on`.
    pub fn is_over_age(&self, sex: Sex, date_of_birth: NaiveDate, on: NaiveDate) -> bool {
        on >= self.rule_for(sex).retirement_date(date_of_birth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn retirement_before_2025_is_not_postponed() {
        let r = RetirementRule::MEN_2025;
        assert_eq!(r.retirement_date(d(1964, 12, 15)), d(2024, 12, 15));
    }

    #[test]
    fn the_2025_schedule_adds_a_month_every_four() {
        let r = RetirementRule::MEN_2025;
        // Would have retired January 2025: one month later.
        assert_eq!(r.retirement_date(d(1965, 1, 10)), d(2025, 2, 10));
        // April 2025 is still the first step, May 2025 the second.
        assert_eq!(r.retirement_date(d(1965, 4, 10)), d(2025, 5, 10));
        assert_eq!(r.retirement_date(d(1965, 5, 10)), d(2025, 7, 10));
        // The cap: 63 years for men born 1977 or later.
        assert_eq!(r.retirement_date(d(1980, 6, 1)), d(2043, 6, 1));
    }

    #[test]
    fn women_workers_step_every_two_months_up_to_five_years() {
        let r = RetirementRule::WOMEN_50_2025;
        assert_eq!(r.retirement_date(d(1975, 2, 1)), d(2025, 3, 1));
        assert_eq!(r.retirement_date(d(1975, 3, 1)), d(2025, 5, 1));
        assert_eq!(r.retirement_date(d(1990, 1, 1)), d(2045, 1, 1));
    }

    #[test]
    fn over_age_is_decided_on_the_day() {
        let p = SocialSecurityPolicy::default();
        let dob = d(1962, 3, 1);
        assert!(!p.is_over_age(Sex::Male, dob, d(2022, 2, 28)));
        assert!(p.is_over_age(Sex::Male, dob, d(2022, 3, 1)));
        // A woman born 1968 (rule 55) is over age in 2026.
        assert!(p.is_over_age(Sex::Female, d(1968, 5, 5), d(2026, 1, 1)));
        assert!(!p.is_over_age(Sex::Female, d(1980, 5, 5), d(2026, 1, 1)));
    }
}
