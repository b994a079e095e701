//! Region federation: a verifier trusting several deployments at once. Each
//! region brings its own trust list (signed by its own, pinned, trust anchor)
//! and its own status lists; a credential is checked only against the keys of
//! the region its key belongs to, and its status only in that region's lists.

use std::sync::Arc;

use crate::error::Rejection;
use crate::keys::{Kid, PublicKey};
use crate::status::StatusList;
use crate::trust::TrustList;
use crate::verify::{Keys, Policy, Purpose, Scope, Verified, verify_against};

/// Why a region's trust list was not taken into a [`TrustSet`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FederationError {
    /// The list does not verify under the pinned anchor (or is malformed, or expired).
    #[error("the trust list does not verify under the pinned anchor: {0}")]
    NotSigned(Rejection),
    /// A key of the list names another region than the one pinned: a region
    /// cannot grant itself another region's keys.
    #[error("the trust list names a key of region {0}")]
    RegionMismatch(String),
    /// The region is in the set already.
    #[error("region {0} is in the set already")]
    DuplicateRegion(String),
    /// A key of the list is another region's key already in the set.
    #[error("the trust list repeats a key of region {0}")]
    KeyOfAnotherRegion(String),
}

impl FederationError {
    /// Stable snake-case code.
    pub fn code(&self) -> &'static str {
        match self {
            FederationError::NotSigned(_) => "peer_list_not_verified",
            FederationError::RegionMismatch(_) => "region_mismatch",
            FederationError::DuplicateRegion(_) => "duplicate_region",
            FederationError::KeyOfAnotherRegion(_) => "key_of_another_region",
        }
    }
}

/// Verifies a region's signed trust list under its pinned anchor and checks
/// that every key in it is of `region`.
pub fn accept_trust_list(
    bytes: &[u8],
    anchor: &PublicKey,
    region: &str,
    now: i64,
) -> Result<TrustList, FederationError> {
    let list = TrustList::from_signed(bytes, anchor, now).map_err(FederationError::NotSigned)?;
    if let Some(other) = list.keys.iter().find(|k| k.region != region) {
        return Err(FederationError::RegionMismatch(other.region.clone()));
    }
    Ok(list)
}

/// `ALG:hex`, the text form of a trust anchor (`trust-anchor.pub`).
pub fn parse_anchor(text: &str) -> Result<PublicKey, &'static str> {
    let (alg, hex) = text.trim().split_once(':').ok_or("not ALG:hex")?;
    let alg = crate::Algorithm::ALL
        .into_iter()
        .find(|a| {
            a.name().eq_ignore_ascii_case(alg)
                || (alg.eq_ignore_ascii_case("sm2") && *a == crate::Algorithm::Sm2Sm3)
        })
        .ok_or("unknown algorithm")?;
    if hex.len() % 2 != 0 || hex.len() > 512 {
        return Err("bad hex");
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or("bad hex")?;
    PublicKey::from_bytes(alg, &bytes).map_err(|_| "not a public key of that algorithm")
}

/// The text form of a trust anchor, as [`parse_anchor`] reads it.
pub fn anchor_text(key: &PublicKey) -> String {
    let hex: String = key.as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("{}:{hex}", key.alg().name())
}

/// One region's trust: its verified trust list (every key of `region`) and
/// the status lists signed by those keys.
#[derive(Debug, Clone)]
pub struct RegionTrust {
    region: String,
    trust: TrustList,
    /// Shared: a list of 10 M entries is 2.5 MB decoded, and a verifier
    /// builds its set for every check.
    status: Vec<Arc<StatusList>>,
    status_max_age: Option<i64>,
    require_status: bool,
}

impl RegionTrust {
    /// `trust` as `region`'s list: refused if any key is of another region.
    pub fn new(region: &str, trust: TrustList) -> Result<Self, FederationError> {
        if let Some(other) = trust.keys.iter().find(|k| k.region != region) {
            return Err(FederationError::RegionMismatch(other.region.clone()));
        }
        Ok(Self {
            region: region.to_owned(),
            trust,
            status: Vec::new(),
            status_max_age: None,
            require_status: false,
        })
    }

    /// Adds a status list token, verified against this region's keys only.
    pub fn with_status_token(mut self, token: &[u8]) -> Result<Self, Rejection> {
        self.status
            .push(Arc::new(StatusList::from_token(token, &self.trust)?));
        Ok(self)
    }

    /// Adds a status list already verified against this region's list.
    pub fn with_status_list(mut self, list: impl Into<Arc<StatusList>>) -> Self {
        self.status.push(list.into());
        self
    }

    /// A peer region: its credentials that name a status list are refused
    /// unless a list of this region is held and younger than `max_age`
    /// seconds (`stale_status`).
    pub fn peer(mut self, max_age: i64) -> Self {
        self.status_max_age = Some(max_age);
        self.require_status = true;
        self
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn trust(&self) -> &TrustList {
        &self.trust
    }

    pub fn status_lists(&self) -> &[Arc<StatusList>] {
        &self.status
    }
}

/// The regions a verifier trusts: its own and the peers it pinned.
#[derive(Debug, Clone, Default)]
pub struct TrustSet {
    regions: Vec<RegionTrust>,
}

impl TrustSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a region; refused if the region is there already or if one of its
    /// keys is another region's.
    pub fn push(&mut self, region: RegionTrust) -> Result<(), FederationError> {
        if self.get(&region.region).is_some() {
            return Err(FederationError::DuplicateRegion(region.region));
        }
        for key in &region.trust.keys {
            if let Some(owner) = self.owner(&key.kid()) {
                return Err(FederationError::KeyOfAnotherRegion(owner.region.clone()));
            }
        }
        self.regions.push(region);
        Ok(())
    }

    pub fn get(&self, region: &str) -> Option<&RegionTrust> {
        self.regions.iter().find(|r| r.region == region)
    }

    pub fn regions(&self) -> &[RegionTrust] {
        &self.regions
    }

    fn owner(&self, kid: &Kid) -> Option<&RegionTrust> {
        self.regions.iter().find(|r| r.trust.key(kid).is_some())
    }
}

impl Keys for TrustSet {
    fn resolve(&self, kid: &Kid, policy: &Policy) -> Option<Scope<'_>> {
        // A kid belongs to one region only (`push`), so the key found is its
        // region's; the verifier then requires the credential's `iss` to be
        // that region.
        let region = self.owner(kid)?;
        Some(Scope {
            key: region.trust.key(kid)?,
            lists: region.status.iter().map(Arc::as_ref).collect(),
            max_age: region.status_max_age.unwrap_or(policy.status_max_age),
            require_status: region.require_status,
        })
    }
}

/// [`crate::verify_with_lists`] against every region of `set`: the
/// credential's key is looked up among all regions' keys, its `iss` must be
/// that key's region, and its status is read from that region's lists only.
pub fn verify_with_set(
    qr: &str,
    set: &TrustSet,
    now: i64,
    purpose: Purpose,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    verify_against(qr, set, now, purpose, policy)
}
