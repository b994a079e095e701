//! What a change of a permit tells the other contexts.

use chrono::NaiveDate;

use super::{Permit, PermitStatus};
use crate::events::EventData;
use crate::permits::application::ApplicationKind;

/// The events for `after`, given the status it had before (`None` for a new
/// permit period) and the kind of application that changed it (`None` for a
/// job or an on-site check). `today` dates the end of a permit that ends now.
pub fn events_of_change(
    before: Option<PermitStatus>,
    after: &Permit,
    kind: Option<ApplicationKind>,
    today: NaiveDate,
) -> Vec<EventData> {
    let permit_number = after.permit_number.to_string();
    let ended_on = today.min(after.valid_to);
    if before == Some(after.status) {
        return match kind {
            Some(
                ApplicationKind::Extension
                | ApplicationKind::Change
                | ApplicationKind::RenewElectronic,
            ) => {
                vec![EventData::PermitChanged { permit_number }]
            }
            _ => vec![],
        };
    }
    let event = match (before, after.status) {
        (None, PermitStatus::Valid) => EventData::PermitApproved { permit_number },
        (Some(s), PermitStatus::Valid) if s.is_terminal() => {
            EventData::PermitApproved { permit_number }
        }
        (Some(_), PermitStatus::Valid) => EventData::PermitReinstated { permit_number },
        (_, PermitStatus::Suspended) => EventData::PermitSuspended { permit_number },
        (_, PermitStatus::Cancelled) => EventData::PermitCancelled {
            permit_number,
            ended_on,
        },
        (_, PermitStatus::Revoked) => EventData::PermitRevoked {
            permit_number,
            ended_on,
        },
        (_, PermitStatus::Expired) => EventData::PermitExpired {
            permit_number,
            ended_on: after.valid_to,
        },
    };
    vec![event]
}
