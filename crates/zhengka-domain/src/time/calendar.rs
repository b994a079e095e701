//! Working days, for statutory time limits ("decided within 20 working days").
//!
//! China moves working days around public holidays (调休): some weekdays are
//! off and some weekends are worked. The State Council announces them each
//! year, so they are data given to the calendar, not rules inside it.

use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::InvalidValue;

/// Monday to Friday, minus extra holidays, plus extra working days.
/// `Default` is the plain Monday-to-Friday week.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Holidays that fall Monday to Friday (the others change nothing).
    holidays: BTreeSet<NaiveDate>,
    /// Extra working days that fall on a weekend (the others change nothing).
    working_weekends: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar with these days off and these extra working days. A date in
    /// both lists is a contradiction in the data and is refused.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        extra_working_days: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, InvalidValue> {
        let holidays: BTreeSet<_> = holidays.into_iter().collect();
        let extra: BTreeSet<_> = extra_working_days.into_iter().collect();
        if let Some(both) = holidays.intersection(&extra).next() {
            return Err(InvalidValue::new(
                "calendar_day_both_holiday_and_working_day",
                format!("{both} is listed both as a holiday and as a working day"),
            ));
        }
        Ok(Self {
            holidays: holidays.into_iter().filter(|d| is_weekday(*d)).collect(),
            working_weekends: extra.into_iter().filter(|d| !is_weekday(*d)).collect(),
        })
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if is_weekday(date) {
            !self.holidays.contains(&date)
        } else {
            self.working_weekends.contains(&date)
        }
    }

    /// The date that is `n` working days after `from` (`from` itself is not
    /// counted, whether or not it is a working day); `n = 0` gives `from`.
    ///
    /// Walks day by day, which is fine for time limits of weeks or months.
    /// Panics only past chrono's last date (year 262,142).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut date = from;
        let mut remaining = n;
        while remaining > 0 {
            date = date
                .succ_opt()
                .expect("working days beyond the last representable date");
            if self.is_working_day(date) {
                remaining -= 1;
            }
        }
        date
    }

    /// Working days strictly after `from` up to and including `to`; negative,
    /// with the same magnitude, when `to` is before `from`. The inverse of
    /// [`add_working_days`](Self::add_working_days).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let range = (Bound::Excluded(from), Bound::Included(to));
        let plain = weekdays_through(to) - weekdays_through(from);
        let holidays = self.holidays.range(range).count() as i64;
        let worked_weekends = self.working_weekends.range(range).count() as i64;
        plain - holidays + worked_weekends
    }
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Mondays to Fridays from 0001-01-01 (a Monday) through `date`. Only
/// differences are used, so the formula may run negative before year 1.
fn weekdays_through(date: NaiveDate) -> i64 {
    let days = i64::from(date.num_days_from_ce()) - 1;
    5 * days.div_euclid(7) + (days.rem_euclid(7) + 1).min(5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// National Day 2025 as announced: 1-8 October off, Sunday 28 September
    /// and Saturday 11 October worked.
    fn national_day_2025() -> WorkingCalendar {
        let holidays = (1..=8).map(|d| date(2025, 10, d));
        WorkingCalendar::new(holidays, [date(2025, 9, 28), date(2025, 10, 11)]).unwrap()
    }

    #[test]
    fn the_weekday_formula_starts_on_a_monday() {
        assert_eq!(date(1, 1, 1).weekday(), Weekday::Mon);
    }

    #[test]
    fn plain_week() {
        let calendar = WorkingCalendar::default();
        let friday = date(2025, 6, 6);
        assert!(calendar.is_working_day(friday) && !calendar.is_working_day(date(2025, 6, 7)));
        assert_eq!(calendar.add_working_days(friday, 0), friday);
        assert_eq!(calendar.add_working_days(friday, 1), date(2025, 6, 9));
        assert_eq!(calendar.add_working_days(friday, 20), date(2025, 7, 4));
        assert_eq!(calendar.working_days_between(friday, date(2025, 7, 4)), 20);
        assert_eq!(calendar.working_days_between(date(2025, 7, 4), friday), -20);
        assert_eq!(calendar.working_days_between(friday, friday), 0);
        // From a Saturday, the next working day is Monday.
        assert_eq!(
            calendar.add_working_days(date(2025, 6, 7), 1),
            date(2025, 6, 9)
        );
    }

    #[test]
    fn holidays_and_swapped_weekends() {
        let calendar = national_day_2025();
        assert!(
            calendar.is_working_day(date(2025, 9, 28))
                && !calendar.is_working_day(date(2025, 10, 1))
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 9, 30), 1),
            date(2025, 10, 9)
        );
        assert_eq!(
            calendar.add_working_days(date(2025, 9, 26), 1),
            date(2025, 9, 28)
        );
        // 28, 29, 30 September and 9, 10, 11 October.
        assert_eq!(
            calendar.working_days_between(date(2025, 9, 26), date(2025, 10, 12)),
            6
        );
    }

    #[test]
    fn a_day_in_both_lists_is_refused() {
        let day = date(2025, 10, 1);
        let err = WorkingCalendar::new([day], [day]).unwrap_err();
        assert_eq!(err.code, "calendar_day_both_holiday_and_working_day");
    }

    #[test]
    fn days_that_change_nothing_are_dropped() {
        let saturday = date(2025, 6, 7);
        let monday = date(2025, 6, 9);
        assert_eq!(
            WorkingCalendar::new([saturday], [monday]).unwrap(),
            WorkingCalendar::default()
        );
    }

    /// Dates within a few years of 2025, and calendars with random extra
    /// holidays and working days near them.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (-2000i64..2000).prop_map(|offset| date(2025, 1, 1) + chrono::Duration::days(offset))
    }

    fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
        let offsets = || proptest::collection::vec(-2100i64..2100, 0..60);
        (offsets(), offsets()).prop_map(|(off, on)| {
            let day = |o: i64| date(2025, 1, 1) + chrono::Duration::days(o);
            let holidays: BTreeSet<_> = off.into_iter().map(day).collect();
            let working = on
                .into_iter()
                .map(day)
                .filter(|d| !holidays.contains(d))
                .collect::<Vec<_>>();
            WorkingCalendar::new(holidays, working).unwrap()
        })
    }

    proptest! {
        #[test]
        fn adding_lands_on_a_working_day(
            calendar in any_calendar(),
            from in any_date(),
            n in 1u32..300,
        ) {
            prop_assert!(calendar.is_working_day(calendar.add_working_days(from, n)));
        }

        #[test]
        fn between_undoes_add(calendar in any_calendar(), from in any_date(), n in 0u32..300) {
            let to = calendar.add_working_days(from, n);
            prop_assert_eq!(calendar.working_days_between(from, to), i64::from(n));
        }

        #[test]
        fn between_matches_counting_day_by_day(
            calendar in any_calendar(),
            a in any_date(),
            b in any_date(),
        ) {
            let (from, to) = (a.min(b), a.max(b));
            let after_from = from.iter_days().skip(1).take_while(|d| *d <= to);
            let counted = after_from.filter(|d| calendar.is_working_day(*d)).count() as i64;
            prop_assert_eq!(calendar.working_days_between(from, to), counted);
            prop_assert_eq!(calendar.working_days_between(to, from), -counted);
        }
    }
}
