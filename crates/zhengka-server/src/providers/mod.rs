//! Clients of services outside by nature, spoken to over their documented
//! protocols (tests run fake servers of them).

pub mod real_person;
