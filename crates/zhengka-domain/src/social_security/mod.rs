//! The social security context: accounts (SSN) and the five insurances, opened
//! after the permit is checked through the system.

mod account;
mod insurance;
mod retirement;
mod ssn;

pub use account::{
    Account, EndReason, Ended, EnrolmentRequest, RegistrationDue, open_account, registration_due,
};
pub use insurance::{Exclusion, ExclusionReason, Insurance, InsuranceKind, InsuranceStatus};
pub use retirement::{RetirementRule, SocialSecurityPolicy};
pub use ssn::{Ssn, mask};

#[cfg(test)]
mod tests;
