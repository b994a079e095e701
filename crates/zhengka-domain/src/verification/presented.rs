//! How a verifier presents the holder for a purpose, and who may state which
//! purpose. A gate takes only a live presentation (a screenshot of yesterday's
//! Notice opens nothing); the police take a Notice QR, a presentation or a
//! lookup by permit number and name; an employer checks a right to work only
//! with a share code the holder made for it (VERIFICATION.md).

use serde::Serialize;

use super::VerificationPurpose;

/// What the verifier was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presented {
    /// A Work Permit Notice QR.
    Notice,
    /// A live e-card presentation QR (30 s, one nonce).
    Presentation,
    /// A permit number and the holder's name, typed in.
    #[serde(rename = "permit_number")]
    Lookup,
    /// A share code the holder made on the e-card.
    ShareCode,
}

impl Presented {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Presentation => "presentation",
            Self::Lookup => "permit_number",
            Self::ShareCode => "share_code",
        }
    }
}

/// The ways `purpose` may be checked.
pub fn accepted(purpose: VerificationPurpose) -> &'static [Presented] {
    use Presented::*;
    use VerificationPurpose::*;
    match purpose {
        ResidencePermit | Inspection => &[Notice, Presentation, Lookup],
        EmployerRightToWork => &[ShareCode],
        Healthcare | Pharmacy | Transit | CultureVenue | Library | Bank | GovernmentService => {
            &[Presentation]
        }
    }
}

/// Who states a purpose.
#[derive(Debug, Clone, Copy)]
pub enum Verifier<'a> {
    /// A police officer: the police purposes, by role.
    Police,
    /// A relying party's person or API credential: its registered purposes.
    Organisation(&'a [VerificationPurpose]),
    /// Anyone else (a permit officer, a relying party of no organisation).
    Other,
}

/// Whether `verifier` may check a card for `purpose`.
pub fn may_state(verifier: Verifier<'_>, purpose: VerificationPurpose) -> bool {
    match verifier {
        Verifier::Police => purpose.police_only(),
        Verifier::Organisation(purposes) => !purpose.police_only() && purposes.contains(&purpose),
        Verifier::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_on_the_wire_are_the_log_names() {
        for p in [
            Presented::Notice,
            Presented::Presentation,
            Presented::Lookup,
            Presented::ShareCode,
        ] {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
    }

    #[test]
    fn police_take_three_ways_and_gates_only_live_presentations() {
        use VerificationPurpose::*;
        assert_eq!(accepted(ResidencePermit).len(), 3);
        assert_eq!(accepted(Transit), &[Presented::Presentation]);
        assert_eq!(accepted(EmployerRightToWork), &[Presented::ShareCode]);
        for p in VerificationPurpose::ALL {
            let lookup = accepted(p).contains(&Presented::Lookup);
            assert_eq!(lookup, p.police_only(), "{p:?}");
        }
    }

    #[test]
    fn purposes_come_from_the_role_or_the_registration() {
        use VerificationPurpose::*;
        assert!(may_state(Verifier::Police, Inspection));
        assert!(!may_state(Verifier::Police, Healthcare));
        let hospital = [Healthcare, Pharmacy];
        assert!(may_state(Verifier::Organisation(&hospital), Healthcare));
        assert!(!may_state(Verifier::Organisation(&hospital), Transit));
        // A registration can never grant a police purpose.
        let forged = [ResidencePermit];
        assert!(!may_state(Verifier::Organisation(&forged), ResidencePermit));
        for p in VerificationPurpose::ALL {
            assert!(!may_state(Verifier::Other, p));
        }
    }
}
