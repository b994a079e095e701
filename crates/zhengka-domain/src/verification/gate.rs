//! Offline gates: a relying party's verifier that checks cards without a
//! connection (a transit gate, a museum turnstile) and later uploads its log,
//! signed by the key the admin registered for it. The rules of what an
//! upload may hold: the organisation's purposes, times within the last 30
//! days and not in the future.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::VerificationPurpose;
use crate::InvalidValue;

/// A registered gate. `public_key` is `ALG:hex` (`EdDSA:…`, `ES256:…`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    pub gate_id: String,
    pub organisation_id: String,
    pub name: String,
    pub public_key: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// When its last batch was taken.
    pub last_upload_at: Option<DateTime<Utc>>,
}

/// A gate as the admin registers it (unchecked; the key is parsed by the
/// credential crate at the edge).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateInput {
    pub gate_id: String,
    pub name: String,
    pub public_key: String,
}

/// A gate's id: 3 to 64 of `A-Z a-z 0-9 - _`, chosen by the organisation
/// (it is printed on the device), unique across organisations.
pub fn check_gate_id(id: &str) -> Result<(), InvalidValue> {
    let ok = (3..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "invalid_gate_id",
            "3 to 64 letters, digits, - or _",
        ))
    }
}

/// Checks a registration's id and name; the first error, with its field.
pub fn check_gate(
    input: &GateInput,
    organisation_id: &str,
    public_key: String,
    now: DateTime<Utc>,
) -> Result<Gate, (&'static str, InvalidValue)> {
    check_gate_id(&input.gate_id).map_err(|e| ("gate_id", e))?;
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        return Err((
            "name",
            InvalidValue::new("invalid_gate_name", "1 to 100 characters"),
        ));
    }
    Ok(Gate {
        gate_id: input.gate_id.clone(),
        organisation_id: organisation_id.to_owned(),
        name,
        public_key,
        created_at: now,
        revoked_at: None,
        last_upload_at: None,
    })
}

/// How old an uploaded verdict may be.
pub const MAX_OFFLINE_AGE_DAYS: i64 = 30;
/// How far ahead of the server's clock a gate's clock may run.
pub const GATE_CLOCK_SKEW_SECS: i64 = 300;

/// Whether one uploaded verdict may be recorded for an organisation holding
/// `purposes`: the purpose is one of them, `at` is neither in the future
/// (beyond the clock skew) nor older than 30 days. The field and code.
pub fn check_offline_entry(
    purpose: &str,
    at: i64,
    purposes: &[VerificationPurpose],
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, (&'static str, &'static str)> {
    match VerificationPurpose::parse(purpose) {
        Ok(p) if purposes.contains(&p) => {}
        Ok(_) => return Err(("purpose", "purpose_not_registered")),
        Err(e) => return Err(("purpose", e.code)),
    }
    let at = DateTime::<Utc>::from_timestamp(at, 0).ok_or(("at", "invalid_value"))?;
    if at > now + Duration::seconds(GATE_CLOCK_SKEW_SECS) {
        return Err(("at", "entry_in_future"));
    }
    if at < now - Duration::days(MAX_OFFLINE_AGE_DAYS) {
        return Err(("at", "entry_too_old"));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_within_30_days_and_of_a_registered_purpose() {
        let now = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).unwrap();
        let t = now.timestamp();
        let mine = [VerificationPurpose::Transit];
        assert!(check_offline_entry("transit", t - 3600, &mine, now).is_ok());
        assert!(check_offline_entry("transit", t + 300, &mine, now).is_ok());
        let err = |p: &str, at: i64| check_offline_entry(p, at, &mine, now).unwrap_err();
        assert_eq!(err("transit", t + 301), ("at", "entry_in_future"));
        assert_eq!(err("transit", t - 30 * 86_400 - 1), ("at", "entry_too_old"));
        assert_eq!(err("bank", t), ("purpose", "purpose_not_registered"));
        assert_eq!(err("teleport", t), ("purpose", "unknown_purpose"));
        assert_eq!(err("transit", i64::MAX), ("at", "invalid_value"));
    }

    #[test]
    fn gate_ids_are_short_tokens() {
        assert!(check_gate_id("gate-07_A").is_ok());
        for bad in ["ab", "gate 7", "gate/7", &"g".repeat(65)] {
            assert_eq!(check_gate_id(bad).unwrap_err().code, "invalid_gate_id");
        }
    }
}
