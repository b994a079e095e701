//! Identifiers: raw strings become these types once, at the edge, and cannot
//! hold an invalid value afterwards ("parse, don't validate").
//!
//! Every type trims surrounding whitespace, normalises case where the format
//! allows it, serialises as its normalised string and deserialises through
//! its `parse`, so a bad value is rejected by serde too.

/// The conversions every identifier here shares, written once: `Display` and
/// `Serialize` print `as_str()`; `FromStr`, `TryFrom<String>` and `Deserialize`
/// go through `parse`, so serde rejects a bad value with the parser's code.
macro_rules! text_identifier {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $t {
            type Err = crate::InvalidValue;
            fn from_str(s: &str) -> Result<Self, crate::InvalidValue> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $t {
            type Error = crate::InvalidValue;
            fn try_from(value: String) -> Result<Self, crate::InvalidValue> {
                Self::parse(&value)
            }
        }

        impl From<$t> for String {
            fn from(value: $t) -> Self {
                value.as_str().to_owned()
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <String as serde::Deserialize>::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

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
