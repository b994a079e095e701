//! Permit facts carried by the Notice and the card credential.

use ciborium::Value;

use super::keys::zk;
use super::map::{self, MapView, int, text};
use crate::codec::cbor::{self, as_text};
use crate::error::Rejection;

/// What the permit record says, as printed on the Notice and held by the e-card.
/// Values are taken as the server's domain types already validated them; dates are
/// `YYYY-MM-DD`, nationality ISO 3166-1 alpha-3, class `A`, `B` or `C`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermitFacts {
    pub permit_number: String,
    /// Name exactly as in the passport (Latin capitals).
    pub holder_name: String,
    pub nationality: String,
    pub date_of_birth: String,
    pub employer_name: String,
    /// Unified Social Credit Code of the employer (18 characters).
    pub employer_uscc: String,
    pub class: String,
    pub position: String,
    pub valid_from: String,
    pub valid_to: String,
}

const FIELDS: [i64; 10] = [
    zk::PERMIT_NUMBER,
    zk::HOLDER_NAME,
    zk::NATIONALITY,
    zk::DATE_OF_BIRTH,
    zk::EMPLOYER_NAME,
    zk::EMPLOYER_USCC,
    zk::CLASS,
    zk::POSITION,
    zk::VALID_FROM,
    zk::VALID_TO,
];

impl PermitFacts {
    fn values(&self) -> [&str; 10] {
        [
            &self.permit_number,
            &self.holder_name,
            &self.nationality,
            &self.date_of_birth,
            &self.employer_name,
            &self.employer_uscc,
            &self.class,
            &self.position,
            &self.valid_from,
            &self.valid_to,
        ]
    }

    /// Appends the facts to a `zk` claim map.
    pub fn encode_into(&self, map: &mut Vec<(Value, Value)>) {
        for (key, value) in FIELDS.iter().zip(self.values()) {
            map.push((int(*key), text(value)));
        }
    }

    /// Reads the facts from a `zk` claim map; every field is required text.
    pub fn decode(map: &MapView<'_>) -> Result<Self, Rejection> {
        let bytes = map::to_bytes(&Value::Map(map.entries().to_vec()));
        Self::decode_view(&cbor::MapView::of(cbor::Raw::whole(&bytes)?)?)
    }

    /// [`PermitFacts::decode`] on a map read straight from the CBOR bytes.
    pub(crate) fn decode_view(map: &cbor::MapView<'_>) -> Result<Self, Rejection> {
        let get = |key: i64| as_text(map.get(key), "missing or non-text permit field");
        let facts = PermitFacts {
            permit_number: get(zk::PERMIT_NUMBER)?,
            holder_name: get(zk::HOLDER_NAME)?,
            nationality: get(zk::NATIONALITY)?,
            date_of_birth: get(zk::DATE_OF_BIRTH)?,
            employer_name: get(zk::EMPLOYER_NAME)?,
            employer_uscc: get(zk::EMPLOYER_USCC)?,
            class: get(zk::CLASS)?,
            position: get(zk::POSITION)?,
            valid_from: get(zk::VALID_FROM)?,
            valid_to: get(zk::VALID_TO)?,
        };
        if !["A", "B", "C"].contains(&facts.class.as_str()) {
            return Err("permit class must be A, B or C".into());
        }
        Ok(facts)
    }

    /// The `zk` keys the facts use.
    pub fn keys() -> &'static [i64] {
        &FIELDS
    }
}
