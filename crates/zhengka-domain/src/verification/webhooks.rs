//! Agency webhook subscriptions (VERIFICATION.md, "Webhooks"): which events
//! an outside agency hears of and where, the delivery states, the retry
//! schedule, and the receiver's freshness rule. Plain values and functions;
//! the server signs and sends.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// The event types an agency may subscribe to: the status changes every
/// agency must learn of, and the few others that complete the picture.
pub const WEBHOOK_EVENT_TYPES: [&str; 11] = [
    "permit.cancelled",
    "permit.suspended",
    "permit.revoked",
    "permit.changed",
    "permit.reinstated",
    "permit.expired",
    "card.frozen",
    "card.unfrozen",
    "card.replaced",
    "ssn.issued",
    "insurance.ended",
];

/// A receiver refuses a timestamp further than this from its clock, either way.
pub const SIGNATURE_TOLERANCE: Duration = Duration::minutes(5);

/// The waits between attempts (10 s, 1 min, 10 min, 1 h, 6 h), the same
/// schedule as the holders' notifications: `retry_after(attempts)` is the
/// wait after that many failed attempts, `None` after the last (dead).
pub use crate::ecard::reminders::{DELIVERY_BACKOFF, retry_after};

/// A subscription as the admin registers it (unchecked).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionInput {
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    #[serde(default)]
    pub organisation_id: Option<String>,
}

/// A change of a subscription (`PUT`): the fields given are replaced.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionChange {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub active: Option<bool>,
}

/// A checked subscription. The signing secret is not part of it: it lives
/// sealed in the store and is shown once when made or rotated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub name: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub organisation_id: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Subscription {
    /// Whether an event of `event_type` goes to this subscription now.
    pub fn wants(&self, event_type: &str) -> bool {
        self.active && self.event_types.iter().any(|t| t == event_type)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dead,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        match s {
            "pending" => Ok(Self::Pending),
            "delivered" => Ok(Self::Delivered),
            "dead" => Ok(Self::Dead),
            _ => Err(InvalidValue::new(
                "invalid_delivery_status",
                "status is pending, delivered or dead",
            )),
        }
    }

    /// An admin may send a finished delivery again; a pending one is on its way.
    pub fn may_redeliver(self) -> bool {
        self != Self::Pending
    }
}

/// Check a new subscription; the first error with its field.
pub fn check_subscription(
    input: &SubscriptionInput,
    id: String,
    now: DateTime<Utc>,
) -> Result<Subscription, (String, InvalidValue)> {
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 150 {
        return Err((
            "name".into(),
            InvalidValue::new("invalid_subscription_name", "1 to 150 characters"),
        ));
    }
    let url = check_url(&input.url).map_err(|e| ("url".to_owned(), e))?;
    let event_types = check_event_types(&input.event_types)?;
    let organisation_id = match input.organisation_id.as_deref().map(str::trim) {
        None => None,
        Some("") => {
            return Err((
                "organisation_id".into(),
                InvalidValue::new("unknown_organisation", "no such relying party"),
            ));
        }
        Some(o) => Some(o.to_owned()),
    };
    Ok(Subscription {
        id,
        name,
        url,
        event_types,
        organisation_id,
        active: true,
        created_at: now,
        updated_at: now,
    })
}

/// Apply a change to `old`; the first error with its field.
pub fn change_subscription(
    old: &Subscription,
    change: &SubscriptionChange,
    now: DateTime<Utc>,
) -> Result<Subscription, (String, InvalidValue)> {
    let mut s = old.clone();
    if let Some(url) = &change.url {
        s.url = check_url(url).map_err(|e| ("url".to_owned(), e))?;
    }
    if let Some(types) = &change.event_types {
        s.event_types = check_event_types(types)?;
    }
    if let Some(active) = change.active {
        s.active = active;
    }
    s.updated_at = now;
    Ok(s)
}

/// One or more known event types, each once (a repeat is dropped).
pub fn check_event_types(types: &[String]) -> Result<Vec<String>, (String, InvalidValue)> {
    if types.is_empty() {
        return Err((
            "event_types".into(),
            InvalidValue::new("no_event_types", "subscribe to at least one event type"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let Some(known) = WEBHOOK_EVENT_TYPES.iter().find(|k| **k == t.trim()) else {
            return Err((
                format!("event_types[{i}]"),
                InvalidValue::new(
                    "unknown_event_type",
                    format!(
                        "not an event type: one of {}",
                        WEBHOOK_EVENT_TYPES.join(", ")
                    ),
                ),
            ));
        };
        if !out.iter().any(|o| o == known) {
            out.push((*known).to_owned());
        }
    }
    Ok(out)
}

/// `http(s)://host[:port]/path`: a host name or IPv4 address, an optional
/// port 1–65535, a path starting with `/` (a query allowed); no user info,
/// no fragment, no spaces; at most 2,000 characters.
pub fn check_url(raw: &str) -> Result<String, InvalidValue> {
    let bad = |why: &str| {
        InvalidValue::new(
            "invalid_webhook_url",
            format!("the URL must be http(s)://host[:port]/path: {why}"),
        )
    };
    if raw.len() > 2000 {
        return Err(bad("too long"));
    }
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| bad("the scheme is http or https"))?;
    let (authority, path) = rest
        .find('/')
        .map(|i| rest.split_at(i))
        .ok_or_else(|| bad("a path is needed"))?;
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !host_ok {
        return Err(bad("the host is a name or an IPv4 address"));
    }
    if let Some(p) = port {
        let ok = !p.is_empty()
            && p.len() <= 5
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        if !ok {
            return Err(bad("the port is 1 to 65535"));
        }
    }
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_graphic() && !b"#\"<>\\^`{|}".contains(&b));
    if !path_ok {
        return Err(bad("the path has a character a URL cannot hold"));
    }
    Ok(raw.to_owned())
}

/// Whether a signature's timestamp (unix seconds) is within
/// [`SIGNATURE_TOLERANCE`] of `now`, either way: a receiver's replay rule
/// (it also keeps the event ids it has seen, and drops repeats).
pub fn timestamp_fresh(timestamp: i64, now: DateTime<Utc>) -> bool {
    (now.timestamp() - timestamp).abs() <= SIGNATURE_TOLERANCE.num_seconds()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn input(url: &str, types: &[&str]) -> SubscriptionInput {
        SubscriptionInput {
            name: "  Police   Bureau ".into(),
            url: url.into(),
            event_types: types.iter().map(|t| (*t).to_owned()).collect(),
            organisation_id: None,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 3, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_subscription_is_checked_and_normalised() {
        let s = check_subscription(
            &input(
                "https://hooks.police.example:8443/zhengka?x=1",
                &["permit.cancelled", "card.frozen", "permit.cancelled"],
            ),
            "id".into(),
            now(),
        )
        .unwrap();
        assert_eq!(s.name, "Police Bureau");
        assert_eq!(s.event_types, ["permit.cancelled", "card.frozen"]);
        assert!(s.active && s.wants("card.frozen") && !s.wants("card.applied"));
    }

    #[test]
    fn unknown_or_no_event_types_name_the_field() {
        let (field, e) = check_subscription(
            &input("http://a/b", &["permit.cancelled", "permit.approvedx"]),
            "id".into(),
            now(),
        )
        .unwrap_err();
        assert_eq!(
            (field.as_str(), e.code),
            ("event_types[1]", "unknown_event_type")
        );
        let (field, e) =
            check_subscription(&input("http://a/b", &[]), "id".into(), now()).unwrap_err();
        assert_eq!((field.as_str(), e.code), ("event_types", "no_event_types"));
    }

    #[test]
    fn urls_are_http_or_https_with_a_host_and_a_path() {
        for ok in [
            "http://127.0.0.1:8080/hook",
            "https://agency.gov.example/",
            "http://receiver/in?token=abc",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ftp://a/b",
            "http://a",
            "http:///path",
            "http://user@a/b",
            "http://a:0/b",
            "http://a:70000/b",
            "http://a:/b",
            "http://a b/c",
            "http://a/b c",
            "http://a/b#frag",
            "http://-a/b",
            "javascript:alert(1)",
            "HTTP://a/b",
        ] {
            assert_eq!(
                check_url(bad).unwrap_err().code,
                "invalid_webhook_url",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_change_replaces_only_what_it_names() {
        let s =
            check_subscription(&input("http://a/b", &["card.frozen"]), "id".into(), now()).unwrap();
        let later = now() + Duration::hours(1);
        let off = SubscriptionChange {
            active: Some(false),
            ..SubscriptionChange::default()
        };
        let changed = change_subscription(&s, &off, later).unwrap();
        assert_eq!((changed.active, &changed.url), (false, &s.url));
        assert_eq!(changed.updated_at, later);
        assert!(!changed.wants("card.frozen"));
        let bad = SubscriptionChange {
            url: Some("http://a".into()),
            ..SubscriptionChange::default()
        };
        assert_eq!(change_subscription(&s, &bad, later).unwrap_err().0, "url");
    }

    #[test]
    fn the_retry_schedule_is_10s_1min_10min_1h_6h_then_dead() {
        let waits: Vec<_> = (1..=6)
            .map(|n| retry_after(n).map(|w| w.num_seconds()))
            .collect();
        assert_eq!(
            waits,
            [Some(10), Some(60), Some(600), Some(3600), Some(21600), None]
        );
        assert_eq!(retry_after(0), None);
    }

    #[test]
    fn timestamps_are_fresh_within_five_minutes_either_way() {
        let t = now().timestamp();
        assert!(timestamp_fresh(t, now()));
        assert!(timestamp_fresh(t - 300, now()));
        assert!(timestamp_fresh(t + 300, now()));
        assert!(!timestamp_fresh(t - 301, now()));
        assert!(!timestamp_fresh(t + 301, now()));
    }

    #[test]
    fn delivery_statuses_parse_and_only_finished_ones_go_again() {
        assert_eq!(DeliveryStatus::parse("dead").unwrap(), DeliveryStatus::Dead);
        assert_eq!(
            DeliveryStatus::parse("lost").unwrap_err().code,
            "invalid_delivery_status"
        );
        assert!(DeliveryStatus::Dead.may_redeliver());
        assert!(DeliveryStatus::Delivered.may_redeliver());
        assert!(!DeliveryStatus::Pending.may_redeliver());
    }

    #[test]
    fn every_subscribable_type_is_an_event_type() {
        for t in WEBHOOK_EVENT_TYPES {
            assert!(crate::events::EVENT_TYPES.contains(&t), "{t}");
        }
    }
}
