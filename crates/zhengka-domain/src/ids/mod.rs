//! Identifiers: raw strings become these types once, at the edge, and cannot
//! hold an invalid value afterwards ("parse, don't validate").
//!
//! Every type trims surrounding whitespace, normalises case where the format
//! allows it, serialises as its normalised string and deserialises through
//! its `parse`, so a bad value is rejected by serde too.

mod citizen_id;
mod mod11_2;
mod nationality;
mod passport_name;
mod permanent_resident_id;
mod region;
mod table;
mod uscc;

pub use citizen_id::CitizenId;
pub use mod11_2::id_check_character;
pub use nationality::Nationality;
pub use passport_name::PassportName;
pub use permanent_resident_id::{PermanentResidentId, PermanentResidentIdFormat};
pub use region::{RegionCode, RegionLevel};
pub use uscc::Uscc;
