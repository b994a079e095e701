//! Separation of duties: the officer who accepted an application may not also
//! approve it, so every permit has passed at least two people. Whether it
//! applies is the province's `Policy::separation_of_duties`.

use thiserror::Error;

use super::workflow::{HistoryAction, HistoryEntry, Outcome, ReviewStep};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("you accepted this application, so another officer must approve it")]
pub struct SeparationOfDuties;

impl SeparationOfDuties {
    pub fn code(&self) -> &'static str {
        "separation_of_duties"
    }
}

/// Who passed the acceptance that the application's current review rests on:
/// the latest one (a returned and resubmitted application is accepted again).
pub fn accepted_by(history: &[HistoryEntry]) -> Option<&str> {
    history.iter().rev().find_map(|h| match h.action {
        HistoryAction::Decided {
            step: ReviewStep::Accept,
            outcome: Outcome::Pass,
        } => Some(h.actor.as_str()),
        _ => None,
    })
}

/// May `actor` decide `step` with `outcome`? Only passing the approval is
/// barred: returning or rejecting stops a permit and needs no second pair of
/// eyes.
pub fn check(
    history: &[HistoryEntry],
    step: ReviewStep,
    outcome: Outcome,
    actor: &str,
) -> Result<(), SeparationOfDuties> {
    let approves = step == ReviewStep::Approve && outcome == Outcome::Pass;
    if approves && accepted_by(history) == Some(actor) {
        Err(SeparationOfDuties)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::permits::application::ApplicationStatus;

    fn decided(actor: &str, step: ReviewStep, outcome: Outcome) -> HistoryEntry {
        HistoryEntry {
            at: Utc::now(),
            actor: actor.to_owned(),
            action: HistoryAction::Decided { step, outcome },
            from: Some(step.expects()),
            to: ApplicationStatus::Accepted,
            comment: None,
        }
    }

    #[test]
    fn the_officer_who_accepted_may_not_approve() {
        let h = vec![
            decided("ann", ReviewStep::Accept, Outcome::Pass),
            decided("bob", ReviewStep::PreliminaryReview, Outcome::Pass),
        ];
        let err = check(&h, ReviewStep::Approve, Outcome::Pass, "ann").unwrap_err();
        assert_eq!(err.code(), "separation_of_duties");
        assert_eq!(check(&h, ReviewStep::Approve, Outcome::Pass, "bob"), Ok(()));
        assert_eq!(check(&h, ReviewStep::Approve, Outcome::Pass, "cy"), Ok(()));
    }

    #[test]
    fn the_acceptor_may_still_return_or_reject_and_do_the_other_steps() {
        let h = vec![decided("ann", ReviewStep::Accept, Outcome::Pass)];
        assert_eq!(
            check(&h, ReviewStep::Approve, Outcome::Reject, "ann"),
            Ok(())
        );
        assert_eq!(
            check(&h, ReviewStep::Approve, Outcome::Return, "ann"),
            Ok(())
        );
        let step = ReviewStep::PreliminaryReview;
        assert_eq!(check(&h, step, Outcome::Pass, "ann"), Ok(()));
    }

    #[test]
    fn the_latest_acceptance_counts_after_a_return() {
        let h = vec![
            decided("ann", ReviewStep::Accept, Outcome::Pass),
            decided("bob", ReviewStep::PreliminaryReview, Outcome::Return),
            decided("cy", ReviewStep::Accept, Outcome::Pass),
        ];
        assert_eq!(accepted_by(&h), Some("cy"));
        assert_eq!(check(&h, ReviewStep::Approve, Outcome::Pass, "ann"), Ok(()));
        assert!(check(&h, ReviewStep::Approve, Outcome::Pass, "cy").is_err());
        assert_eq!(accepted_by(&[]), None);
    }
}
