//! The one error every parser and rule in this crate returns for a bad value.
//!
//! The HTTP layer attaches the field path (it knows where the value came from);
//! the domain only says what is wrong with the value, as a stable `code`.

use std::fmt;

/// A value that breaks a rule. `code` is stable and machine-readable
/// (`snake_case`); `message` is for people and may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue {
    pub code: &'static str,
    pub message: String,
}

impl InvalidValue {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for InvalidValue {}

/// A bad value together with where it was found in the input
/// (`contract.end_date`, `foreigner.date_of_birth`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub error: InvalidValue,
}

impl FieldError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            error: InvalidValue::new(code, message),
        }
    }

    /// A required section or value is absent for this kind of application.
    pub fn required(field: &'static str) -> Self {
        Self::new(field, "required", format!("{field} is required here"))
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.error)
    }
}

impl std::error::Error for FieldError {}

/// Why a rule refused a command: a bad value (422 with a field) or a state that
/// does not allow it (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleError {
    Invalid(FieldError),
    Conflict { code: &'static str, message: String },
}

impl RuleError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }
}

impl From<FieldError> for RuleError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e)
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => e.fmt(f),
            Self::Conflict { code, message } => write!(f, "{code}: {message}"),
        }
    }
}

impl std::error::Error for RuleError {}
