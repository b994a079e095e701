//! An inclusive range of calendar days, such as a permit's validity.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// From `start` to `end`, both days included; `end >= start` always holds.
///
/// Serialises as `{ "start_date": "2025-01-01", "end_date": "2025-12-31" }`
/// and deserialises through [`DateRange::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateRangeRepr", into = "DateRangeRepr")]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

/// The wire shape; private so the invariant cannot be bypassed.
#[derive(Serialize, Deserialize)]
struct DateRangeRepr {
    start_date: NaiveDate,
    end_date: NaiveDate,
}

impl DateRange {
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, InvalidValue> {
        if end < start {
            return Err(InvalidValue::new(
                "end_before_start",
                format!("the range ends ({end}) before it starts ({start})"),
            ));
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Number of days, both ends counted: a one-day range has 1, and
    /// 2025-01-01..=2025-03-31 has 90 (the short-term work limit).
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// Whether `date` is one of the range's days (ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

impl TryFrom<DateRangeRepr> for DateRange {
    type Error = InvalidValue;
    fn try_from(repr: DateRangeRepr) -> Result<Self, InvalidValue> {
        Self::new(repr.start_date, repr.end_date)
    }
}

impl From<DateRange> for DateRangeRepr {
    fn from(range: DateRange) -> Self {
        Self {
            start_date: range.start,
            end_date: range.end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error, MapDeserializer};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_and_contains_include_both_ends() {
        let range = DateRange::new(date(2025, 1, 1), date(2025, 3, 31)).unwrap();
        assert_eq!(range.days(), 90);
        assert!(range.contains(date(2025, 1, 1)) && range.contains(date(2025, 3, 31)));
        assert!(!range.contains(date(2024, 12, 31)) && !range.contains(date(2025, 4, 1)));
        let one_day = DateRange::new(date(2024, 2, 29), date(2024, 2, 29)).unwrap();
        assert_eq!(
            (one_day.start(), one_day.end(), one_day.days()),
            (date(2024, 2, 29), date(2024, 2, 29), 1)
        );
    }

    #[test]
    fn end_before_start_is_rejected() {
        let err = DateRange::new(date(2025, 1, 2), date(2025, 1, 1)).unwrap_err();
        assert_eq!(err.code, "end_before_start");
    }

    fn from_map(start: &'static str, end: &'static str) -> Result<DateRange, Error> {
        DateRange::deserialize(MapDeserializer::new(
            [("start_date", start), ("end_date", end)].into_iter(),
        ))
    }

    #[test]
    fn deserialises_from_start_date_and_end_date_through_new() {
        let range = from_map("2025-01-01", "2025-12-31").unwrap();
        assert_eq!(
            range,
            DateRange::new(date(2025, 1, 1), date(2025, 12, 31)).unwrap()
        );
        assert!(
            from_map("2025-12-31", "2025-01-01")
                .unwrap_err()
                .to_string()
                .contains("end_before_start")
        );
        assert!(from_map("2025-02-30", "2025-12-31").is_err());
    }

    #[test]
    fn serialises_through_the_wire_shape() {
        let range = DateRange::new(date(2025, 1, 1), date(2025, 12, 31)).unwrap();
        let repr = DateRangeRepr::from(range);
        assert_eq!(
            (repr.start_date, repr.end_date),
            (range.start(), range.end())
        );
    }
}
