//! The five insurances of an employed foreigner (compulsory since 2011) and
//! their enrolment periods.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceKind {
    Pension,
    Medical,
    Unemployment,
    WorkInjury,
    Maternity,
}

impl InsuranceKind {
    pub const ALL: [InsuranceKind; 5] = [
        Self::Pension,
        Self::Medical,
        Self::Unemployment,
        Self::WorkInjury,
        Self::Maternity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pension => "pension",
            Self::Medical => "medical",
            Self::Unemployment => "unemployment",
            Self::WorkInjury => "work_injury",
            Self::Maternity => "maternity",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsuranceStatus {
    Active,
    Ended,
}

/// One insurance of an account, from its start date until it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Insurance {
    pub kind: InsuranceKind,
    pub start_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    pub status: InsuranceStatus,
}

/// Why an insurance was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// Above the statutory retirement age on the start date.
    OverAge,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub kind: InsuranceKind,
    pub reason: ExclusionReason,
}
