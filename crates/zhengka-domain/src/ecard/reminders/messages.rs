//! The message catalogue: a title and a body per kind, in Chinese and English.
//! Messages name a number by its last 4 characters only, so they may go to an
//! email or SMS gateway.

use serde::Serialize;

use super::{Facts, ReminderKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub title: String,
    pub body: String,
}

/// The message of `kind` in `lang` (`en`; anything else is Chinese, the
/// default language of the service).
pub fn message(kind: ReminderKind, lang: &str, facts: &Facts) -> Message {
    let date = facts.date.map(|d| d.to_string()).unwrap_or_default();
    let n = &facts.last4;
    let (title, body) = if lang == "en" {
        english(kind, n, &date)
    } else {
        chinese(kind, n, &date)
    };
    Message { title, body }
}

fn english(kind: ReminderKind, n: &str, date: &str) -> (String, String) {
    use ReminderKind as K;
    let (title, body) = match kind {
        K::PermitExpiry90 | K::PermitExpiry30 | K::PermitExpiry7 => (
            "Your work permit expires soon",
            format!(
                "Work permit …{n} is valid until {date}. Ask your employer to apply for an extension in time."
            ),
        ),
        K::OnsiteDue7 | K::OnsiteDue1 => (
            "On-site check of your originals",
            format!(
                "Bring your original materials to the window by {date}, or work permit …{n} is suspended."
            ),
        ),
        K::InsuranceEnded => (
            "Your social insurance ended",
            format!("Your social insurance ended on {date}."),
        ),
        K::CardProduced => ("Your card is made", format!("Card …{n} has been produced.")),
        K::CardShipped => (
            "Your card is on its way",
            format!("Card …{n} has been shipped."),
        ),
        K::CardDelivered => (
            "Your card has arrived",
            format!("Card …{n} has been delivered."),
        ),
        K::PermitSuspended => (
            "Your work permit is suspended",
            format!("Work permit …{n} is suspended."),
        ),
        K::PermitReinstated => (
            "Your work permit is valid again",
            format!("Work permit …{n} is valid again."),
        ),
        K::PermitCancelled => (
            "Your work permit is cancelled",
            format!("Work permit …{n} was cancelled on {date}."),
        ),
        K::PermitRevoked => (
            "Your work permit is revoked",
            format!("Work permit …{n} was revoked on {date}."),
        ),
        K::PermitExpired => (
            "Your work permit has expired",
            format!("Work permit …{n} expired on {date}."),
        ),
        K::PermitChanged => (
            "Your work permit was changed",
            format!("The facts of work permit …{n} were changed; your e-card shows them."),
        ),
    };
    (title.to_owned(), body)
}

fn chinese(kind: ReminderKind, n: &str, date: &str) -> (String, String) {
    use ReminderKind as K;
    let (title, body) = match kind {
        K::PermitExpiry90 | K::PermitExpiry30 | K::PermitExpiry7 => (
            "工作许可即将到期",
            format!("尾号{n}的工作许可有效期至{date}，请及时请用人单位申请延期。"),
        ),
        K::OnsiteDue7 | K::OnsiteDue1 => (
            "请现场核验材料原件",
            format!("请于{date}前到窗口核验材料原件，否则尾号{n}的工作许可将被暂停。"),
        ),
        K::InsuranceEnded => ("社会保险已终止", format!("您的社会保险已于{date}终止。")),
        K::CardProduced => ("社保卡已制成", format!("尾号{n}的卡已制成。")),
        K::CardShipped => ("社保卡已寄出", format!("尾号{n}的卡已寄出。")),
        K::CardDelivered => ("社保卡已送达", format!("尾号{n}的卡已送达。")),
        K::PermitSuspended => ("工作许可已暂停", format!("尾号{n}的工作许可已暂停。")),
        K::PermitReinstated => ("工作许可已恢复", format!("尾号{n}的工作许可已恢复有效。")),
        K::PermitCancelled => (
            "工作许可已注销",
            format!("尾号{n}的工作许可已于{date}注销。"),
        ),
        K::PermitRevoked => (
            "工作许可已撤销",
            format!("尾号{n}的工作许可已于{date}撤销。"),
        ),
        K::PermitExpired => (
            "工作许可已过期",
            format!("尾号{n}的工作许可已于{date}到期。"),
        ),
        K::PermitChanged => (
            "工作许可已变更",
            format!("尾号{n}的工作许可信息已变更，电子证卡已同步。"),
        ),
    };
    (title.to_owned(), body)
}
