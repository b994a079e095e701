//! The review workflow: which state an application is in, and what each actor may
//! do to it. Pure functions of (state, command, now).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where an application stands. `submitted` awaits acceptance, `accepted` awaits
/// preliminary review, `preliminary_reviewed` awaits approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    Draft,
    Submitted,
    Accepted,
    PreliminaryReviewed,
    ReturnedForUpdate,
    Approved,
    Rejected,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 7] = [
        Self::Draft,
        Self::Submitted,
        Self::Accepted,
        Self::PreliminaryReviewed,
        Self::ReturnedForUpdate,
        Self::Approved,
        Self::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Accepted => "accepted",
            Self::PreliminaryReviewed => "preliminary_reviewed",
            Self::ReturnedForUpdate => "returned_for_update",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Approved and rejected applications never change again.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Approved | Self::Rejected)
    }

    /// In the hands of the approval authority (counts against the legal time limit).
    pub fn is_under_review(self) -> bool {
        matches!(
            self,
            Self::Submitted | Self::Accepted | Self::PreliminaryReviewed
        )
    }

    /// The employer may still edit the form.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::ReturnedForUpdate)
    }
}

/// The review step an officer decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStep {
    Accept,
    PreliminaryReview,
    Approve,
}

impl ReviewStep {
    /// The status an application must be in for this step.
    pub fn expects(self) -> ApplicationStatus {
        match self {
            Self::Accept => ApplicationStatus::Submitted,
            Self::PreliminaryReview => ApplicationStatus::Accepted,
            Self::Approve => ApplicationStatus::PreliminaryReviewed,
        }
    }

    fn on_pass(self) -> ApplicationStatus {
        match self {
            Self::Accept => ApplicationStatus::Accepted,
            Self::PreliminaryReview => ApplicationStatus::PreliminaryReviewed,
            Self::Approve => ApplicationStatus::Approved,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// Back to the employer for an update; the employer resubmits.
    Return,
    Reject,
}

/// One line of an application's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: HistoryAction,
    pub from: Option<ApplicationStatus>,
    pub to: ApplicationStatus,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Created,
    Updated,
    Submitted,
    Decided {
        step: ReviewStep,
        outcome: Outcome,
    },
    /// Returned to preliminary review at the go-live of the integration.
    CutOver,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("the application is {actual}, but this needs it to be {expected}")]
    WrongStatus {
        expected: &'static str,
        actual: &'static str,
    },
    #[error("a {0} decision needs a comment saying why")]
    CommentRequired(&'static str),
}

impl TransitionError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongStatus { .. } => "invalid_transition",
            Self::CommentRequired(_) => "comment_required",
        }
    }
}

/// Employer submits a draft or a returned application.
pub fn submit(status: ApplicationStatus) -> Result<ApplicationStatus, TransitionError> {
    if status.is_editable() {
        Ok(ApplicationStatus::Submitted)
    } else {
        Err(TransitionError::WrongStatus {
            expected: "draft or returned_for_update",
            actual: status.as_str(),
        })
    }
}

/// Officer decides one review step. Returning or rejecting needs a reason.
pub fn decide(
    status: ApplicationStatus,
    step: ReviewStep,
    outcome: Outcome,
    comment: Option<&str>,
) -> Result<ApplicationStatus, TransitionError> {
    if status != step.expects() {
        return Err(TransitionError::WrongStatus {
            expected: step.expects().as_str(),
            actual: status.as_str(),
        });
    }
    let has_comment = comment.is_some_and(|c| !c.trim().is_empty());
    match outcome {
        Outcome::Pass => Ok(step.on_pass()),
        Outcome::Return if has_comment => Ok(ApplicationStatus::ReturnedForUpdate),
        Outcome::Reject if has_comment => Ok(ApplicationStatus::Rejected),
        Outcome::Return => Err(TransitionError::CommentRequired("return")),
        Outcome::Reject => Err(TransitionError::CommentRequired("reject")),
    }
}

/// The cut-over rule: at go-live, applications in review go back to preliminary
/// review for re-approval. Returns `None` when the application is not affected.
pub fn cut_over(status: ApplicationStatus) -> Option<ApplicationStatus> {
    status
        .is_under_review()
        .then_some(ApplicationStatus::Accepted)
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus::*;
    use super::*;

    #[test]
    fn draft_and_returned_can_be_submitted() {
        assert_eq!(submit(Draft), Ok(Submitted));
        assert_eq!(submit(ReturnedForUpdate), Ok(Submitted));
        for s in [Submitted, Accepted, PreliminaryReviewed, Approved, Rejected] {
            assert_eq!(submit(s).unwrap_err().code(), "invalid_transition");
        }
    }

    #[test]
    fn the_happy_path_runs_accept_preliminary_approve() {
        let s = decide(Submitted, ReviewStep::Accept, Outcome::Pass, None).unwrap();
        assert_eq!(s, Accepted);
        let s = decide(s, ReviewStep::PreliminaryReview, Outcome::Pass, None).unwrap();
        assert_eq!(s, PreliminaryReviewed);
        let s = decide(s, ReviewStep::Approve, Outcome::Pass, None).unwrap();
        assert_eq!(s, Approved);
    }

    #[test]
    fn steps_cannot_be_skipped_or_repeated() {
        let err = decide(Submitted, ReviewStep::Approve, Outcome::Pass, None).unwrap_err();
        assert_eq!(
            err,
            TransitionError::WrongStatus {
                expected: "preliminary_reviewed",
                actual: "submitted"
            }
        );
        // approving twice
        let err = decide(Approved, ReviewStep::Approve, Outcome::Pass, None).unwrap_err();
        assert_eq!(err.code(), "invalid_transition");
        assert!(decide(Draft, ReviewStep::Accept, Outcome::Pass, None).is_err());
    }

    #[test]
    fn return_and_reject_need_a_comment() {
        for step in [
            ReviewStep::Accept,
            ReviewStep::PreliminaryReview,
            ReviewStep::Approve,
        ] {
            let from = step.expects();
            assert_eq!(
                decide(from, step, Outcome::Return, Some("photo unclear")),
                Ok(ReturnedForUpdate)
            );
            assert_eq!(
                decide(from, step, Outcome::Reject, Some("forged degree")),
                Ok(Rejected)
            );
            assert_eq!(
                decide(from, step, Outcome::Reject, Some("   ")).unwrap_err(),
                TransitionError::CommentRequired("reject")
            );
            assert_eq!(
                decide(from, step, Outcome::Return, None)
                    .unwrap_err()
                    .code(),
                "comment_required"
            );
        }
    }

    #[test]
    fn returned_application_is_resubmitted_and_reviewed_again() {
        let s = decide(
            Accepted,
            ReviewStep::PreliminaryReview,
            Outcome::Return,
            Some("x"),
        );
        let s = submit(s.unwrap()).unwrap();
        assert_eq!(s, Submitted);
        assert!(decide(s, ReviewStep::Accept, Outcome::Pass, None).is_ok());
    }

    #[test]
    fn cut_over_sends_applications_in_review_back_to_preliminary_review() {
        assert_eq!(cut_over(Submitted), Some(Accepted));
        assert_eq!(cut_over(Accepted), Some(Accepted));
        assert_eq!(cut_over(PreliminaryReviewed), Some(Accepted));
        for s in [Draft, ReturnedForUpdate, Approved, Rejected] {
            assert_eq!(cut_over(s), None);
        }
    }

    #[test]
    fn final_states_are_final() {
        for s in ApplicationStatus::ALL {
            assert_eq!(s.is_final(), matches!(s, Approved | Rejected));
            assert_eq!(ApplicationStatus::parse(s.as_str()), Some(s));
        }
    }
}
