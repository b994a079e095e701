//! The application aggregate as it is stored and shown.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::workflow::HistoryEntry;
use super::{ApplicationForm, ApplicationStatus};
use crate::ids::RegionCode;
use crate::permits::permit::PermitNumber;
use crate::permits::scoring::{Classification, WorkerClass};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub employer_id: String,
    /// The region whose authority decides it (the employer's region).
    pub region_code: RegionCode,
    pub form: ApplicationForm,
    pub status: ApplicationStatus,
    pub classification: Option<Classification>,
    /// The permit it acts on, or the one its approval created.
    pub permit_number: Option<PermitNumber>,
    /// Legal time limit for the decision, set on submission.
    pub decision_due_on: Option<NaiveDate>,
    /// A change filed more than 10 days after it happened.
    pub late_filing: bool,
    /// Returned to preliminary review at the go-live.
    pub cut_over: bool,
    pub history: Vec<HistoryEntry>,
    /// The Work Permit Notice issued on approval (`new_from_abroad`,
    /// `reissue_notice`, and `extension`/`change`, whose Notice replaces the
    /// earlier one: see `ApplicationKind::issues_notice`).
    #[serde(default)]
    pub notice: Option<Notice>,
    /// Optimistic concurrency: bumped on every write.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A Work Permit Notice: its number and the signed QR payload it prints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub notice_id: String,
    pub qr: String,
    pub issued_at: DateTime<Utc>,
}

impl Application {
    /// The class the application earned. Short-term work filed without points
    /// is class C (design: the standard's default class).
    pub fn class(&self) -> Option<WorkerClass> {
        self.classification
            .as_ref()
            .map(|c| c.class)
            .or((self.form.kind == super::ApplicationKind::ShortTerm).then_some(WorkerClass::C))
    }
}
