//! What an employer files: one form shape for every kind, with kind-specific
//! sections. JSON maps onto it directly; values parse on the way in, so a form
//! that exists holds only well-formed values. Cross-field rules live in `validate`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ApplicationKind;
use super::text::{BoundedText, PassportNumber};
use crate::ids::{Nationality, PassportName, PermanentResidentId, RegionCode};
use crate::permits::permit::PermitNumber;
use crate::permits::scoring::{ChineseLanguage, Education};

pub type Position = BoundedText<1, 100>;
pub type ChineseName = BoundedText<1, 50>;
pub type Reason = BoundedText<1, 1000>;
pub type NoticeNumber = BoundedText<4, 40>;
pub type FileName = BoundedText<1, 200>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationForm {
    pub kind: ApplicationKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreigner: Option<Foreigner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<ScoringAnswers>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permit_number: Option<PermitNumber>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_term: Option<ShortTermDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<ChangeDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation: Option<CancellationDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_notice: Option<OriginalNotice>,
    #[serde(default)]
    pub materials: Vec<Material>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
    /// Passports may carry "X".
    Unspecified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Foreigner {
    pub name: PassportName,
    pub nationality: Nationality,
    pub sex: Sex,
    pub date_of_birth: NaiveDate,
    pub passport_number: PassportNumber,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chinese_name: Option<ChineseName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanent_resident_id: Option<PermanentResidentId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub annual_salary_cny: u64,
    pub work_location_region: RegionCode,
}

impl Contract {
    /// Length in calendar days, both ends included.
    pub fn days(&self) -> i64 {
        (self.end_date - self.start_date).num_days() + 1
    }
}

/// The scoring facts that cannot be derived from the rest of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringAnswers {
    pub education: Education,
    pub related_experience_years: u32,
    pub months_per_year_in_china: u32,
    pub chinese_language: ChineseLanguage,
    #[serde(default)]
    pub designated_poor_county: bool,
    #[serde(default)]
    pub top_foreign_university: bool,
    #[serde(default)]
    pub fortune_global_500_experience: bool,
    #[serde(default)]
    pub patents: bool,
    #[serde(default)]
    pub five_consecutive_years_in_china: bool,
    #[serde(default)]
    pub recognised_talent: bool,
}

/// The only situations in which work of 90 days or less is permitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShortTermSituation {
    TechnicalResearchOrManagementWithPartner,
    SportsTrial,
    Filming,
    FashionShow,
    CommercialPerformance,
    RecognisedByMinistry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortTermDetails {
    pub situation: ShortTermSituation,
    /// A no-criminal-record pledge replaces the certificate for short-term work.
    pub no_criminal_record_pledge: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeDetails {
    /// When the change happened; it must be filed within 10 days.
    pub changed_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_position: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<PassportName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_passport_number: Option<PassportNumber>,
}

impl ChangeDetails {
    pub fn is_empty(&self) -> bool {
        self.new_position.is_none() && self.new_name.is_none() && self.new_passport_number.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CancellationDetails {
    pub employment_ended_on: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginalNotice {
    pub notice_number: NoticeNumber,
    pub issued_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    PassportCopy,
    Photo,
    EmploymentContract,
    DegreeCertificate,
    WorkExperienceProof,
    NoCriminalRecord,
    MedicalReport,
    VisaOrResidencePermitCopy,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub kind: MaterialKind,
    pub file_name: FileName,
}
