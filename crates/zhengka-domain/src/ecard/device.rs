//! A holder's device: a public key the card credential is bound to (`cnf`),
//! and the state of that credential in the device status list (list 3). The
//! state follows the device, the permit and the card through one rule,
//! [`credential_state`].

use chrono::{DateTime, Utc};

use crate::cards::{CardStatus, CredentialState};
use crate::permits::application::BoundedText;
use crate::permits::permit::PermitStatus;

/// Most devices one holder may have bound at once (revoked ones not counted).
pub const MAX_DEVICES: usize = 5;

/// What the holder calls the device ("Anna's phone").
pub type DeviceName = BoundedText<1, 60>;

#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: String,
    pub holder_id: String,
    pub name: DeviceName,
    /// The device public key as a COSE_Key (the one encoding the `cnf` claim
    /// carries), never anything secret.
    pub public_key: Vec<u8>,
    /// The card credential's entry in the device status list.
    pub status_index: u32,
    pub credential_status: CredentialState,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Device {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }

    /// Revoke the device at `now` (once: a revoked device stays as it was).
    pub fn revoke(&mut self, now: DateTime<Utc>) {
        if self.revoked_at.is_none() {
            self.revoked_at = Some(now);
        }
        self.credential_status = CredentialState::Revoked;
    }
}

/// The state of a device's card credential: a revoked device, or a permit
/// that ended (cancelled, revoked, expired), revokes it; a suspended permit
/// or a frozen card suspends it; otherwise it is valid. `card` is the
/// holder's current card, if any (a replaced card's successor is current).
pub fn credential_state(
    device_revoked: bool,
    permit: PermitStatus,
    card: Option<CardStatus>,
) -> CredentialState {
    match (device_revoked, permit, card) {
        (true, _, _)
        | (_, PermitStatus::Cancelled | PermitStatus::Revoked | PermitStatus::Expired, _) => {
            CredentialState::Revoked
        }
        (_, PermitStatus::Suspended, _) | (_, _, Some(CardStatus::Frozen)) => {
            CredentialState::Suspended
        }
        (false, PermitStatus::Valid, _) => CredentialState::Valid,
    }
}

/// Whether a device may be bound for a permit in `status`: only while the
/// credential could be valid again (valid, or suspended pending the on-site
/// check); an ended permit gets no new credential.
pub fn may_bind(permit: PermitStatus) -> bool {
    matches!(permit, PermitStatus::Valid | PermitStatus::Suspended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CredentialState::{Revoked, Suspended, Valid};

    #[test]
    fn the_credential_follows_the_device_the_permit_and_the_card() {
        use PermitStatus as P;
        let card_states = CardStatus::ALL.map(Some);
        for card in card_states.into_iter().chain([None]) {
            for permit in [P::Valid, P::Suspended, P::Expired, P::Cancelled, P::Revoked] {
                assert_eq!(credential_state(true, permit, card), Revoked);
                let expected = match (permit, card) {
                    (P::Expired | P::Cancelled | P::Revoked, _) => Revoked,
                    (P::Suspended, _) | (_, Some(CardStatus::Frozen)) => Suspended,
                    _ => Valid,
                };
                assert_eq!(
                    credential_state(false, permit, card),
                    expected,
                    "{permit:?} {card:?}"
                );
            }
        }
        // A replaced card (its successor not yet read) does not end the e-card.
        assert_eq!(
            credential_state(false, P::Valid, Some(CardStatus::Replaced)),
            Valid
        );
        assert!(may_bind(P::Valid) && may_bind(P::Suspended));
        assert!(!may_bind(P::Cancelled) && !may_bind(P::Expired) && !may_bind(P::Revoked));
    }

    #[test]
    fn revoking_is_once() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut d = Device {
            id: "d".into(),
            holder_id: "h".into(),
            name: DeviceName::parse("Phone").unwrap(),
            public_key: vec![0xa0],
            status_index: 7,
            credential_status: Valid,
            created_at: t0,
            revoked_at: None,
        };
        d.revoke(t0 + chrono::Duration::seconds(5));
        d.revoke(t0 + chrono::Duration::seconds(9));
        assert_eq!(d.revoked_at, Some(t0 + chrono::Duration::seconds(5)));
        assert_eq!(d.credential_status, Revoked);
    }
}
