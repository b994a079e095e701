//! The offline verifier: QR text in, verdict out, no network.

use crate::claims::{Body, Claims, Kind};
use crate::codec::decode_qr;
use crate::cose::{self, Parsed};
use crate::error::Rejection;
use crate::keys::Kid;
use crate::status::{Status, StatusList};
use crate::trust::{IssuerKey, KeyPurpose, TrustList};

/// Where the verifier finds the key a `kid` names and the status lists that
/// may speak for what it signed: one trust list and its lists, or a
/// [`crate::federation::TrustSet`] of regions.
pub(crate) trait Keys {
    fn resolve(&self, kid: &Kid, policy: &Policy) -> Option<Scope<'_>>;
}

/// A trusted key with the status lists of its issuer.
pub(crate) struct Scope<'a> {
    pub key: &'a IssuerKey,
    pub lists: Vec<&'a StatusList>,
    /// The oldest status list accepted, in seconds after its `iat`.
    pub max_age: i64,
    /// Refuse a credential naming a status list when no list of its issuer
    /// is held (a peer region's credentials), rather than not checking it.
    pub require_status: bool,
}

/// One trust list with the status lists the verifier holds (the single-region case).
struct Single<'a> {
    trust: &'a TrustList,
    lists: &'a [&'a StatusList],
}

impl Keys for Single<'_> {
    fn resolve(&self, kid: &Kid, policy: &Policy) -> Option<Scope<'_>> {
        Some(Scope {
            key: self.trust.key(kid)?,
            lists: self.lists.to_vec(),
            max_age: policy.status_max_age,
            require_status: false,
        })
    }
}

/// Why the verifier is looking at a QR; decides which kind it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Checking a printed Notice (visa office, e-card registration, police desk).
    Notice,
    /// Installing or refreshing a card credential on a device.
    CardInstall,
    /// A holder showing the e-card at a gate or counter: presentations only.
    Presentation,
}

impl Purpose {
    fn accepts(self, kind: Kind) -> bool {
        matches!(
            (self, kind),
            (Purpose::Notice, Kind::Notice)
                | (Purpose::CardInstall, Kind::Card)
                | (Purpose::Presentation, Kind::Presentation)
        )
    }
}

/// Verifier settings; [`Policy::default`] is what [`verify`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// How old a presentation may be, in seconds (default 30).
    pub presentation_window: i64,
    /// How far in the future a timestamp may be, for clock skew (default 5 s).
    pub clock_skew: i64,
    /// The oldest status list accepted, in seconds after its `iat` (default 1 day).
    pub status_max_age: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            presentation_window: 30,
            clock_skew: 5,
            status_max_age: 86_400,
        }
    }
}

/// Whether the status of the credential was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCheck {
    /// Looked up and valid.
    Valid,
    /// No status list given, or the credential names none.
    NotChecked,
}

/// A credential that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The issued credential's claims (for a presentation: the embedded card's).
    pub claims: Claims,
    /// The trusted key that signed it.
    pub issuer: IssuerKey,
    pub status: StatusCheck,
    /// For a presentation: its timestamp and nonce (feed them to a replay cache).
    pub presented: Option<(i64, Vec<u8>)>,
}

/// Verifies a QR string offline with the default [`Policy`].
pub fn verify(
    qr: &str,
    trust: &TrustList,
    status: Option<&StatusList>,
    now: i64,
    purpose: Purpose,
) -> Result<Verified, Rejection> {
    verify_with(qr, trust, status, now, purpose, &Policy::default())
}

/// Verifies a QR string offline; the steps are those of docs/credential-format.md.
pub fn verify_with(
    qr: &str,
    trust: &TrustList,
    status: Option<&StatusList>,
    now: i64,
    purpose: Purpose,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    let lists: Vec<&StatusList> = status.into_iter().collect();
    verify_with_lists(qr, trust, &lists, now, purpose, policy)
}

/// [`verify_with`] given every status list the verifier holds (e.g. the
/// permits' list and the device credentials' list): the credential's status
/// is looked up in the one whose URI it names. With lists given and none of
/// them named, the credential is refused (`status_list_mismatch`), as with one.
pub fn verify_with_lists(
    qr: &str,
    trust: &TrustList,
    status: &[&StatusList],
    now: i64,
    purpose: Purpose,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    verify_against(
        qr,
        &Single {
            trust,
            lists: status,
        },
        now,
        purpose,
        policy,
    )
}

pub(crate) fn verify_against(
    qr: &str,
    keys: &dyn Keys,
    now: i64,
    purpose: Purpose,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    let parsed = cose::parse(&decode_qr(qr)?)?;
    if purpose == Purpose::Presentation {
        return verify_presentation(&parsed, keys, now, policy);
    }
    let verified = verify_issued(&parsed, keys, now, policy)?;
    if !purpose.accepts(verified.claims.body.kind()) {
        return Err(Rejection::WrongKindForPurpose);
    }
    Ok(verified)
}

fn verify_issued(
    parsed: &Parsed,
    keys: &dyn Keys,
    now: i64,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    let kid = parsed
        .kid()
        .ok_or("kid missing from the protected header")?;
    let scope = keys.resolve(&kid, policy).ok_or(Rejection::UnknownKey)?;
    let key = scope.key;
    parsed.verify(&key.public_key)?;
    let claims = Claims::from_checked_cbor(&parsed.payload)?;
    let needed = match claims.body.kind() {
        Kind::Notice => KeyPurpose::Notice,
        Kind::Card => KeyPurpose::Card,
        Kind::Presentation => return Err(Rejection::WrongKindForPurpose),
    };
    if !key.allows(needed) || claims.iss.as_deref() != Some(key.region.as_str()) {
        return Err(Rejection::KeyNotValidForPurpose);
    }
    if !key.valid_at(claims.iat) {
        return Err(Rejection::KeyExpired);
    }
    check_time(&claims, now, policy)?;
    let status = check_status(&claims, &scope, now)?;
    Ok(Verified {
        claims,
        issuer: key.clone(),
        status,
        presented: None,
    })
}

fn check_time(claims: &Claims, now: i64, policy: &Policy) -> Result<(), Rejection> {
    let start = claims.nbf.unwrap_or(claims.iat);
    if start > now + policy.clock_skew {
        return Err(Rejection::NotYetValid);
    }
    if claims.exp.is_some_and(|exp| now >= exp) {
        return Err(Rejection::Expired);
    }
    Ok(())
}

fn check_status(claims: &Claims, scope: &Scope<'_>, now: i64) -> Result<StatusCheck, Rejection> {
    let Some(reference) = &claims.status else {
        return Ok(StatusCheck::NotChecked);
    };
    let list = scope.lists.iter().find(|l| l.uri == reference.uri);
    let list = match list {
        Some(list) => list,
        // A peer's credential must be checked: no current list of its
        // region is as good as a stale one.
        None if scope.require_status => return Err(Rejection::StaleStatus),
        None if scope.lists.is_empty() => return Ok(StatusCheck::NotChecked),
        None => return Err(Rejection::StatusListMismatch),
    };
    if !list.is_fresh(now, scope.max_age) {
        return Err(Rejection::StaleStatus);
    }
    match list
        .bits
        .get(reference.idx)
        .ok_or("status index past the end of the list")?
    {
        Status::Valid => Ok(StatusCheck::Valid),
        Status::Revoked => Err(Rejection::Revoked),
        Status::Suspended => Err(Rejection::Suspended),
    }
}

fn verify_presentation(
    parsed: &Parsed,
    keys: &dyn Keys,
    now: i64,
    policy: &Policy,
) -> Result<Verified, Rejection> {
    if !parsed.kid.is_empty() {
        return Err(Rejection::WrongKindForPurpose);
    }
    let outer = Claims::from_checked_cbor(&parsed.payload)?;
    let Body::Presentation { card, nonce } = outer.body else {
        return Err(Rejection::WrongKindForPurpose);
    };
    let mut verified = verify_issued(&cose::parse(&card)?, keys, now, policy)?;
    let Body::Card { device_key, .. } = &verified.claims.body else {
        return Err(Rejection::WrongKindForPurpose);
    };
    parsed.verify(device_key)?;
    let age = now - outer.iat;
    if age > policy.presentation_window || age < -policy.clock_skew {
        return Err(Rejection::ReplayedOrStalePresentation);
    }
    verified.presented = Some((outer.iat, nonce));
    Ok(verified)
}
