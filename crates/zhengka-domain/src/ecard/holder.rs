//! The holder account: one person (one permit number) has at most one open
//! account; it is opened by a passed real-person check and keeps that check's
//! result (never the image).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::permits::permit::PermitNumber;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolderStatus {
    Active,
    Closed,
}

impl HolderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }
}

/// Who vouched for the person: a real provider, or the demo stand-in (which
/// every page then says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealPersonSource {
    Provider,
    Demo,
}

/// The kept result of a real-person check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealPersonResult {
    pub source: RealPersonSource,
    pub score: f64,
    pub request_id: String,
    pub checked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Holder {
    pub id: String,
    /// The `foreigner` user the holder signs in as.
    pub user_id: String,
    pub permit_number: PermitNumber,
    pub status: HolderStatus,
    pub real_person: RealPersonResult,
    pub lang: String,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl Holder {
    /// The username a holder's user has: the permit number, lower case (the
    /// form usernames take). A closed account's user is renamed, so that the
    /// person may register again.
    pub fn username_for(n: &PermitNumber) -> String {
        n.as_str().to_ascii_lowercase()
    }

    pub fn closed_username(&self) -> String {
        format!("closed.{}", self.id)
    }

    pub fn close(&mut self, now: DateTime<Utc>) {
        self.status = HolderStatus::Closed;
        self.closed_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_username_is_the_permit_number_and_fits_the_username_rule() {
        let n = PermitNumber::parse("4401000000000000042").unwrap();
        let u = Holder::username_for(&n);
        assert_eq!(crate::employer::parse_username(&u), Ok(u.clone()));
        assert_eq!(u, "4401000000000000042");
    }
}
