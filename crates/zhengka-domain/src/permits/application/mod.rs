//! Permit applications: kinds, the form, its rules, and the review workflow.

mod checklist;
mod classify;
pub mod duties;
pub mod form;
mod kind;
mod record;
mod text;
pub mod validate;
pub mod workflow;

pub use checklist::required_materials;
pub use classify::classify_form;
pub use form::ApplicationForm;
pub use kind::ApplicationKind;
pub use record::{Application, Notice};
pub use text::{BoundedText, PassportNumber};
pub use workflow::{ApplicationStatus, Outcome, ReviewStep};
