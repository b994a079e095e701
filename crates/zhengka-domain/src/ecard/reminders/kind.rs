use serde::{Deserialize, Serialize};

/// Every kind of notification, as stored (`ecard_notifications.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    PermitExpiry90,
    PermitExpiry30,
    PermitExpiry7,
    OnsiteDue7,
    OnsiteDue1,
    InsuranceEnded,
    CardProduced,
    CardShipped,
    CardDelivered,
    PermitSuspended,
    PermitReinstated,
    PermitCancelled,
    PermitRevoked,
    PermitExpired,
    PermitChanged,
}

impl ReminderKind {
    pub const ALL: [Self; 15] = [
        Self::PermitExpiry90,
        Self::PermitExpiry30,
        Self::PermitExpiry7,
        Self::OnsiteDue7,
        Self::OnsiteDue1,
        Self::InsuranceEnded,
        Self::CardProduced,
        Self::CardShipped,
        Self::CardDelivered,
        Self::PermitSuspended,
        Self::PermitReinstated,
        Self::PermitCancelled,
        Self::PermitRevoked,
        Self::PermitExpired,
        Self::PermitChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PermitExpiry90 => "permit_expiry_90",
            Self::PermitExpiry30 => "permit_expiry_30",
            Self::PermitExpiry7 => "permit_expiry_7",
            Self::OnsiteDue7 => "onsite_due_7",
            Self::OnsiteDue1 => "onsite_due_1",
            Self::InsuranceEnded => "insurance_ended",
            Self::CardProduced => "card_produced",
            Self::CardShipped => "card_shipped",
            Self::CardDelivered => "card_delivered",
            Self::PermitSuspended => "permit_suspended",
            Self::PermitReinstated => "permit_reinstated",
            Self::PermitCancelled => "permit_cancelled",
            Self::PermitRevoked => "permit_revoked",
            Self::PermitExpired => "permit_expired",
            Self::PermitChanged => "permit_changed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
