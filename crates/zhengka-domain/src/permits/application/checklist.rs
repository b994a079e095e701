//! What each kind of application is expected to carry, for the officer's
//! checklist on the application page. *(design)*: the seeds list the
//! materials only in outline (passport, photo, contract, degree, experience,
//! no criminal record; a pledge for short-term work), so this is our reading
//! of them; an officer still judges, and a missing item is a reason to
//! return the application, not a hard block on filing.

use super::ApplicationKind;
use super::form::MaterialKind;

pub fn required_materials(kind: ApplicationKind) -> &'static [MaterialKind] {
    use MaterialKind::*;
    match kind {
        ApplicationKind::NewFromAbroad | ApplicationKind::ReissueNotice => &[
            PassportCopy,
            Photo,
            EmploymentContract,
            DegreeCertificate,
            WorkExperienceProof,
            NoCriminalRecord,
        ],
        // The no-criminal-record pledge is filed as that material.
        ApplicationKind::ShortTerm => &[PassportCopy, Photo, EmploymentContract, NoCriminalRecord],
        ApplicationKind::Extension => &[PassportCopy, EmploymentContract],
        ApplicationKind::Change => &[PassportCopy],
        ApplicationKind::RenewElectronic => &[PassportCopy, Photo],
        // The employment ends: nothing about the person to prove again.
        ApplicationKind::Cancellation => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_permit_needs_more_than_a_renewal_and_a_cancellation_nothing() {
        let first = required_materials(ApplicationKind::NewFromAbroad);
        assert!(first.contains(&MaterialKind::DegreeCertificate));
        assert!(first.contains(&MaterialKind::NoCriminalRecord));
        assert!(
            !required_materials(ApplicationKind::Extension)
                .contains(&MaterialKind::DegreeCertificate)
        );
        assert!(required_materials(ApplicationKind::Cancellation).is_empty());
        for kind in ApplicationKind::ALL {
            let needs = required_materials(kind);
            assert!(!needs.contains(&MaterialKind::Other), "{kind:?}");
            let pass = needs.contains(&MaterialKind::PassportCopy);
            assert_eq!(pass, kind != ApplicationKind::Cancellation, "{kind:?}");
        }
    }
}
