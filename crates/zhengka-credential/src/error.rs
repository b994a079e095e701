//! Why a credential was refused. One variant per reason a verifier reports.

/// The verdict of a refused credential. `code()` gives a stable snake-case name for
/// logs, the CLI and the test vectors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Not a well-formed credential of this format; the detail says which step failed.
    #[error("malformed: {0}")]
    Malformed(&'static str),
    /// The `kid` names no key in the trust list.
    #[error("unknown key")]
    UnknownKey,
    /// The signature does not verify under the trusted key.
    #[error("bad signature")]
    BadSignature,
    /// The `alg` header disagrees with the algorithm of the trusted key.
    #[error("algorithm mismatch")]
    AlgorithmMismatch,
    /// The credential's `exp` has passed.
    #[error("expired")]
    Expired,
    /// The credential's `nbf` (or `iat`) is in the future.
    #[error("not yet valid")]
    NotYetValid,
    /// The status list marks the credential revoked.
    #[error("revoked")]
    Revoked,
    /// The status list marks the credential suspended.
    #[error("suspended")]
    Suspended,
    /// The status list given is past its `exp`, its `ttl` or the verifier's maximum age.
    #[error("stale status list")]
    StaleStatus,
    /// The status list given is not the one the credential refers to.
    #[error("status list does not match the credential")]
    StatusListMismatch,
    /// The credential kind is not accepted for the verifier's purpose.
    #[error("wrong kind of credential for this purpose")]
    WrongKindForPurpose,
    /// A presentation outside its freshness window (a screenshot or replay).
    #[error("replayed or stale presentation")]
    ReplayedOrStalePresentation,
    /// The trusted key may not sign this kind of credential, or not for this issuer.
    #[error("key not valid for this purpose")]
    KeyNotValidForPurpose,
    /// The credential was issued outside the trusted key's validity window.
    #[error("key expired")]
    KeyExpired,
}

impl Rejection {
    /// Stable snake-case code.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Malformed(_) => "malformed",
            Rejection::UnknownKey => "unknown_key",
            Rejection::BadSignature => "bad_signature",
            Rejection::AlgorithmMismatch => "algorithm_mismatch",
            Rejection::Expired => "expired",
            Rejection::NotYetValid => "not_yet_valid",
            Rejection::Revoked => "revoked",
            Rejection::Suspended => "suspended",
            Rejection::StaleStatus => "stale_status",
            Rejection::StatusListMismatch => "status_list_mismatch",
            Rejection::WrongKindForPurpose => "wrong_kind_for_purpose",
            Rejection::ReplayedOrStalePresentation => "replayed_or_stale_presentation",
            Rejection::KeyNotValidForPurpose => "key_not_valid_for_purpose",
            Rejection::KeyExpired => "key_expired",
        }
    }
}

impl From<&'static str> for Rejection {
    fn from(detail: &'static str) -> Self {
        Rejection::Malformed(detail)
    }
}
