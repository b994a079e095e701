//! How long a permit is granted for: never beyond the contract, and never beyond
//! the province's cap for the holder's class.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::permits::application::form::Contract;
use crate::permits::scoring::WorkerClass;
use crate::time::add_years_capped;

/// Provincial caps in whole years per class (e.g. Dongguan: A 5, B 2, C 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidityCaps {
    pub class_a_years: u32,
    pub class_b_years: u32,
    pub class_c_years: u32,
}

impl Default for ValidityCaps {
    fn default() -> Self {
        Self {
            class_a_years: 5,
            class_b_years: 2,
            class_c_years: 1,
        }
    }
}

impl ValidityCaps {
    pub fn years_for(&self, class: WorkerClass) -> u32 {
        match class {
            WorkerClass::A => self.class_a_years,
            WorkerClass::B => self.class_b_years,
            WorkerClass::C => self.class_c_years,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitTerms {
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
}

/// Terms for a permit period that starts no earlier than `earliest` (today for a
/// new permit, the day after the current period for an extension).
pub fn grant_terms(
    contract: &Contract,
    class: WorkerClass,
    caps: &ValidityCaps,
    earliest: NaiveDate,
) -> Result<PermitTerms, FieldError> {
    let valid_from = contract.start_date.max(earliest);
    let cap_end = add_years_capped(valid_from, caps.years_for(class)) - Days::new(1);
    let valid_to = contract.end_date.min(cap_end);
    if valid_to < valid_from {
        return Err(FieldError::new(
            "contract.end_date",
            "contract_already_ended",
            "the contract ends before the permit could start",
        ));
    }
    Ok(PermitTerms {
        valid_from,
        valid_to,
    })
}
