//! The kinds of work permit application and what each one is for.

use serde::{Deserialize, Serialize};

/// What an employer applies for. Kinds removed by the integration (applying after
/// entry, the permit addendum, loss announcements, cancellation notices) do not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationKind {
    /// Foreigner abroad, work of 90 days or more; approval issues the Notice.
    NewFromAbroad,
    /// Work of 90 days or less, in the listed situations only.
    ShortTerm,
    /// Extend a valid permit before it expires.
    Extension,
    /// Employer, position or personal data changed.
    Change,
    /// Employment ended.
    Cancellation,
    /// Move an unexpired physical permit onto the electronic card.
    RenewElectronic,
    /// A Notice completed before the go-live whose permit was never applied for.
    ReissueNotice,
}

impl ApplicationKind {
    pub const ALL: [ApplicationKind; 7] = [
        Self::NewFromAbroad,
        Self::ShortTerm,
        Self::Extension,
        Self::Change,
        Self::Cancellation,
        Self::RenewElectronic,
        Self::ReissueNotice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewFromAbroad => "new_from_abroad",
            Self::ShortTerm => "short_term",
            Self::Extension => "extension",
            Self::Change => "change",
            Self::Cancellation => "cancellation",
            Self::RenewElectronic => "renew_electronic",
            Self::ReissueNotice => "reissue_notice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Legal time limit for a decision, in working days from submission:
    /// 5 for work of 90 days or less, 20 for everything else.
    pub fn decision_limit_working_days(self) -> u32 {
        match self {
            Self::ShortTerm => 5,
            _ => 20,
        }
    }

    /// Kinds that act on a permit the foreigner already holds.
    pub fn needs_existing_permit(self) -> bool {
        matches!(
            self,
            Self::Extension | Self::Change | Self::Cancellation | Self::RenewElectronic
        )
    }

    /// Kinds whose approval issues a Work Permit Notice: a permit from abroad,
    /// and a permit whose facts change (the Notice carries the new facts).
    pub fn issues_notice(self) -> bool {
        matches!(self, Self::NewFromAbroad | Self::ReissueNotice) || self.changes_permit_facts()
    }

    /// Kinds whose approval changes what credentials say about an existing
    /// permit (end date, class, position, name, passport). The permit starts a
    /// new credential period, so credentials of the earlier facts fail as revoked.
    pub fn changes_permit_facts(self) -> bool {
        matches!(self, Self::Extension | Self::Change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_of_facts_issues_a_new_notice() {
        use ApplicationKind::*;
        let changing: Vec<_> = ApplicationKind::ALL
            .into_iter()
            .filter(|k| k.changes_permit_facts())
            .collect();
        assert_eq!(changing, [Extension, Change]);
        assert!(changing.iter().all(|k| k.issues_notice()));
        // A renewal moves the permit onto the card with the same facts: its
        // Notice stays valid. A cancellation revokes it through the status.
        assert!(!RenewElectronic.issues_notice() && !Cancellation.issues_notice());
        assert!(!ShortTerm.issues_notice());
    }

    #[test]
    fn names_round_trip() {
        for kind in ApplicationKind::ALL {
            assert_eq!(ApplicationKind::parse(kind.as_str()), Some(kind));
            let json = serde_json_like(kind);
            assert_eq!(json, kind.as_str());
        }
        assert_eq!(ApplicationKind::parse("after_entry"), None);
    }

    fn serde_json_like(kind: ApplicationKind) -> String {
        // serde's snake_case renaming must agree with as_str.
        format!("{kind:?}")
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let lower = c.to_ascii_lowercase();
                if c.is_ascii_uppercase() && i > 0 {
                    vec!['_', lower]
                } else {
                    vec![lower]
                }
            })
            .collect()
    }

    #[test]
    fn short_term_is_decided_within_five_working_days() {
        assert_eq!(ApplicationKind::ShortTerm.decision_limit_working_days(), 5);
        assert_eq!(
            ApplicationKind::NewFromAbroad.decision_limit_working_days(),
            20
        );
    }
}
