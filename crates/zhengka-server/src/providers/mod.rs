//! Clients of services outside by nature, spoken to over their documented
//! protocols (tests run fake servers of them).

pub mod real_person;

/// The outside services this deployment is configured with.
#[derive(Debug, Default)]
pub struct Providers {
    /// Without one, the real-person step answers `503 real_person_unavailable`.
    pub real_person: Option<real_person::RealPersonProvider>,
}
