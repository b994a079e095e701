//! Ages and calendar arithmetic on dates of birth and validity periods.

use chrono::{Datelike, Months, NaiveDate};

/// Completed years of age on `on` (0 if `on` is before the birth).
///
/// The age goes up on the birthday itself. Someone born on 29 February turns
/// a year older on 1 March in common years (28 February is still before the
/// birthday), the usual reading of "completed years".
pub fn age_on(date_of_birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < date_of_birth {
        return 0;
    }
    let years = on.year() - date_of_birth.year();
    let before_birthday = (on.month(), on.day()) < (date_of_birth.month(), date_of_birth.day());
    u32::try_from(years - i32::from(before_birthday)).unwrap_or(0)
}

/// `date` moved forward by `months`, with the day clamped to the end of a
/// shorter month: 31 January + 1 month = 28 or 29 February. (Going back is
/// rarely needed; chrono's `checked_sub_months` clamps the same way.)
///
/// Panics only past chrono's last date (year 262,142).
pub fn add_months_capped(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .expect("date beyond the last representable date")
}

/// `date` moved forward by whole years; 29 February becomes 28 February in a
/// common year. Panics only past chrono's last date.
pub fn add_years_capped(date: NaiveDate, years: u32) -> NaiveDate {
    add_months_capped(date, years.saturating_mul(12))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn age_goes_up_on_the_birthday() {
        let born = date(1990, 6, 15);
        assert_eq!(age_on(born, date(2025, 6, 14)), 34);
        assert_eq!(age_on(born, date(2025, 6, 15)), 35);
        assert_eq!(age_on(born, born), 0);
        assert_eq!(age_on(born, date(1980, 1, 1)), 0);
    }

    #[test]
    fn leap_day_birthdays_count_from_1_march_in_common_years() {
        let born = date(2004, 2, 29);
        assert_eq!(age_on(born, date(2022, 2, 28)), 17);
        assert_eq!(age_on(born, date(2022, 3, 1)), 18);
        assert_eq!(age_on(born, date(2024, 2, 28)), 19);
        assert_eq!(age_on(born, date(2024, 2, 29)), 20);
    }

    #[test]
    fn months_clamp_to_the_end_of_the_month() {
        assert_eq!(add_months_capped(date(2025, 1, 31), 1), date(2025, 2, 28));
        assert_eq!(add_months_capped(date(2024, 1, 31), 1), date(2024, 2, 29));
        assert_eq!(add_months_capped(date(2025, 5, 15), 0), date(2025, 5, 15));
        assert_eq!(add_months_capped(date(2025, 11, 30), 3), date(2026, 2, 28));
    }

    #[test]
    fn years_clamp_leap_days() {
        assert_eq!(add_years_capped(date(2024, 2, 29), 1), date(2025, 2, 28));
        assert_eq!(add_years_capped(date(2024, 2, 29), 4), date(2028, 2, 29));
        assert_eq!(add_years_capped(date(2025, 7, 1), 2), date(2027, 7, 1));
    }

    proptest! {
        #[test]
        fn age_matches_adding_years(days in 0i64..40_000, years in 0u32..100) {
            let born = date(1920, 1, 1) + chrono::Duration::days(days);
            let birthday = add_years_capped(born, years);
            // On the (capped) birthday the age is reached, except that a
            // 29 February birthday in a common year is reached on 1 March.
            let capped = birthday.day() < born.day();
            let reached = if capped { birthday.succ_opt().unwrap() } else { birthday };
            prop_assert_eq!(age_on(born, reached), years);
            prop_assert_eq!(age_on(born, reached.pred_opt().unwrap()), years.saturating_sub(1));
        }
    }
}
