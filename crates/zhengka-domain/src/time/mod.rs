//! Dates, date ranges and working days. Nothing here reads the clock: "today"
//! is always an argument.

mod age;
mod calendar;
mod date_range;

pub use age::{add_months_capped, add_years_capped, age_on};
pub use calendar::WorkingCalendar;
pub use date_range::DateRange;
