//! The e-card context: registration of the holder (real-name check against the
//! permit record, then a real-person check by an outside provider), and later
//! the holder's account, devices and reminders.

mod real_person;
mod registration;

pub use real_person::{CheckResponse, Verdict, judge};
pub use registration::{
    REGISTRATION_MINUTES, Refused, Registration, RegistrationStatus, may_register,
};
