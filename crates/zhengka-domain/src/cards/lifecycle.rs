//! The card's life: `applied` → (batch) `in_production` → `produced` →
//! `shipped` → `delivered`, or `applied` → `issued_at_window`; a card in hand
//! (or on its way) can be `frozen` (loss report, permit ended, officer) and then
//! `unfrozen` or `replaced` for good.

use serde::{Deserialize, Serialize};

use crate::RuleError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardStatus {
    Applied,
    InProduction,
    Produced,
    Shipped,
    Delivered,
    IssuedAtWindow,
    Frozen,
    Replaced,
}

impl CardStatus {
    pub const ALL: [CardStatus; 8] = [
        Self::Applied,
        Self::InProduction,
        Self::Produced,
        Self::Shipped,
        Self::Delivered,
        Self::IssuedAtWindow,
        Self::Frozen,
        Self::Replaced,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::InProduction => "in_production",
            Self::Produced => "produced",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::IssuedAtWindow => "issued_at_window",
            Self::Frozen => "frozen",
            Self::Replaced => "replaced",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// A card that exists physically (made, on its way, or in the holder's hand).
    pub fn is_made(self) -> bool {
        matches!(
            self,
            Self::Produced | Self::Shipped | Self::Delivered | Self::IssuedAtWindow
        )
    }

    /// The holder has it: the promise is kept.
    pub fn is_in_hand(self) -> bool {
        matches!(self, Self::Delivered | Self::IssuedAtWindow)
    }

    /// What the card's credential says in the status list.
    pub fn credential_status(self) -> CredentialState {
        match self {
            Self::Frozen => CredentialState::Suspended,
            Self::Replaced => CredentialState::Revoked,
            _ => CredentialState::Valid,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialState {
    Valid,
    Suspended,
    Revoked,
}

impl CredentialState {
    pub const ALL: [CredentialState; 3] = [Self::Valid, Self::Suspended, Self::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Suspended => "suspended",
            Self::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How the holder gets the card made in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Handover {
    /// Sent by courier to the address.
    Delivery,
    /// Collected at the service hall.
    ServiceHall,
}

/// Something that happens to a card (the `type` of `POST /cards/{n}/events`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CardEventType {
    /// Put into a production batch (the batch job does this).
    Batched,
    Produced,
    Shipped,
    Delivered,
    IssuedAtWindow,
    /// The holder reports it lost: frozen at once.
    Lost,
    Frozen,
    Unfrozen,
    Replaced,
}

impl CardEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Batched => "batched",
            Self::Produced => "produced",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::IssuedAtWindow => "issued_at_window",
            Self::Lost => "lost",
            Self::Frozen => "frozen",
            Self::Unfrozen => "unfrozen",
            Self::Replaced => "replaced",
        }
    }
}

/// Where a card stands: its status, and for a frozen card what it was before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardState {
    pub status: CardStatus,
    pub frozen_from: Option<CardStatus>,
}

fn illegal(from: CardStatus, event: CardEventType) -> RuleError {
    RuleError::conflict(
        "illegal_transition",
        format!(
            "a card that is {} cannot be {}",
            from.as_str(),
            event.as_str()
        ),
    )
}

/// The state after `event`, or `illegal_transition`. `permit_valid` says
/// whether the permit still holds: a card never outlives its permit, so a card
/// is not unfrozen or replaced for an ended permit.
pub fn transition(
    state: CardState,
    event: CardEventType,
    handover: &Handover,
    permit_valid: bool,
) -> Result<CardState, RuleError> {
    use CardEventType as E;
    use CardStatus as S;
    let from = state.status;
    let to = match (from, event) {
        (S::Applied, E::Batched) => S::InProduction,
        (S::Applied, E::IssuedAtWindow) => S::IssuedAtWindow,
        (S::InProduction, E::Produced) => S::Produced,
        (S::Produced, E::Shipped) if *handover == Handover::Delivery => S::Shipped,
        (S::Shipped, E::Delivered) => S::Delivered,
        (S::Produced, E::Delivered) if *handover == Handover::ServiceHall => S::Delivered,
        (s, E::Lost) if s.is_made() => S::Frozen,
        (s, E::Frozen) if s != S::Frozen && s != S::Replaced => S::Frozen,
        (S::Frozen, E::Unfrozen) if permit_valid => {
            return Ok(CardState {
                status: state.frozen_from.unwrap_or(S::Delivered),
                frozen_from: None,
            });
        }
        (s, E::Replaced) if permit_valid && (s == S::Frozen || s.is_made()) => S::Replaced,
        (s, E::Unfrozen | E::Replaced) if !permit_valid && (s == S::Frozen || s.is_made()) => {
            return Err(RuleError::conflict(
                "permit_not_valid",
                "the permit has ended; the card stays frozen",
            ));
        }
        _ => return Err(illegal(from, event)),
    };
    let frozen_from = (to == S::Frozen).then_some(from);
    Ok(CardState {
        status: to,
        frozen_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CardEventType as E;
    use CardStatus as S;

    fn at(status: CardStatus) -> CardState {
        CardState {
            status,
            frozen_from: None,
        }
    }

    fn run(events: &[E], handover: Handover) -> Result<CardState, RuleError> {
        events
            .iter()
            .try_fold(at(S::Applied), |s, e| transition(s, *e, &handover, true))
    }

    #[test]
    fn delivery_path() {
        let s = run(
            &[E::Batched, E::Produced, E::Shipped, E::Delivered],
            Handover::Delivery,
        )
        .unwrap();
        assert_eq!(s.status, S::Delivered);
    }

    #[test]
    fn service_hall_pickup_is_not_shipped() {
        let s = run(
            &[E::Batched, E::Produced, E::Delivered],
            Handover::ServiceHall,
        )
        .unwrap();
        assert_eq!(s.status, S::Delivered);
        assert!(
            run(
                &[E::Batched, E::Produced, E::Shipped],
                Handover::ServiceHall
            )
            .is_err()
        );
        assert!(run(&[E::Batched, E::Produced, E::Delivered], Handover::Delivery).is_err());
    }

    #[test]
    fn window_issuance_only_from_applied() {
        assert_eq!(
            run(&[E::IssuedAtWindow], Handover::ServiceHall)
                .unwrap()
                .status,
            S::IssuedAtWindow
        );
        let e = run(&[E::Batched, E::IssuedAtWindow], Handover::ServiceHall).unwrap_err();
        assert!(matches!(
            e,
            RuleError::Conflict {
                code: "illegal_transition",
                ..
            }
        ));
    }

    #[test]
    fn loss_freezes_a_made_card_and_unfreezing_restores_it() {
        let s = run(&[E::IssuedAtWindow, E::Lost], Handover::ServiceHall).unwrap();
        assert_eq!(
            (s.status, s.frozen_from),
            (S::Frozen, Some(S::IssuedAtWindow))
        );
        let back = transition(s, E::Unfrozen, &Handover::ServiceHall, true).unwrap();
        assert_eq!(back, at(S::IssuedAtWindow));
        // Nothing to lose before it is made.
        assert!(run(&[E::Lost], Handover::Delivery).is_err());
    }

    #[test]
    fn an_ended_permit_keeps_the_card_frozen() {
        let s = transition(at(S::Delivered), E::Frozen, &Handover::Delivery, false).unwrap();
        assert_eq!(s.status, S::Frozen);
        for e in [E::Unfrozen, E::Replaced] {
            let err = transition(s, e, &Handover::Delivery, false).unwrap_err();
            assert!(matches!(
                err,
                RuleError::Conflict {
                    code: "permit_not_valid",
                    ..
                }
            ));
        }
    }

    #[test]
    fn replaced_is_final() {
        let s = run(
            &[E::IssuedAtWindow, E::Lost, E::Replaced],
            Handover::ServiceHall,
        )
        .unwrap();
        assert_eq!(s.status, S::Replaced);
        for e in [E::Unfrozen, E::Frozen, E::Lost, E::Replaced, E::Delivered] {
            assert!(
                transition(s, e, &Handover::ServiceHall, true).is_err(),
                "{e:?}"
            );
        }
        assert_eq!(S::Replaced.credential_status(), CredentialState::Revoked);
        assert_eq!(S::Frozen.credential_status(), CredentialState::Suspended);
    }

    #[test]
    fn every_pair_is_decided_without_panic() {
        for s in S::ALL {
            for e in [
                E::Batched,
                E::Produced,
                E::Shipped,
                E::Delivered,
                E::IssuedAtWindow,
                E::Lost,
                E::Frozen,
                E::Unfrozen,
                E::Replaced,
            ] {
                for h in [Handover::Delivery, Handover::ServiceHall] {
                    for valid in [true, false] {
                        if let Ok(next) = transition(at(s), e, &h, valid) {
                            assert_ne!(next.status == S::Frozen, next.frozen_from.is_none());
                        }
                    }
                }
            }
        }
    }
}
