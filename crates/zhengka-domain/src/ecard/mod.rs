//! The e-card context: registration of the holder (real-name check against the
//! permit record, then a real-person check by an outside provider), the
//! holder's account, devices and reminders.

mod holder;
mod real_person;
mod registration;

pub use holder::{Holder, HolderStatus, RealPersonResult, RealPersonSource};
pub use real_person::{CheckResponse, Verdict, judge};
pub use registration::{
    REGISTRATION_MINUTES, Refused, Registration, RegistrationPurpose, RegistrationStatus,
    may_register,
};
