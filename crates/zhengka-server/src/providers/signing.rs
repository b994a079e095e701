//! The signature of every webhook zhengka sends (VERIFICATION.md): headers
//! `Zhengka-Event-Id`, `Zhengka-Timestamp` (unix seconds) and
//! `Zhengka-Signature: v1=<hex HMAC-SHA-256(secret, timestamp + "." + body)>`;
//! the signed POST both webhooks (holder notifications, agencies) make; and
//! the receiver's check, [`verify_signature`].

use chrono::{DateTime, Utc};
use ring::hmac;
use zhengka_domain::verification::webhooks::timestamp_fresh;

/// `v1=` and the hex HMAC-SHA-256 of `timestamp.body` under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), timestamp, body)
}

pub(crate) fn sign(key: &hmac::Key, timestamp: i64, body: &[u8]) -> String {
    let tag = hmac::sign(key, &signed_bytes(timestamp, body));
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("v1={hex}")
}

fn signed_bytes(timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut m = timestamp.to_string().into_bytes();
    m.push(b'.');
    m.extend_from_slice(body);
    m
}

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// `Zhengka-Timestamp` is not a number.
    BadTimestamp,
    /// More than 5 minutes from the receiver's clock, either way: a replay
    /// of an old delivery (or a badly wrong clock).
    Stale,
    /// `Zhengka-Signature` is not `v1=` and 64 hex digits.
    BadHeader,
    /// The MAC does not match: another secret, or a changed body or time.
    WrongSignature,
}

/// The receiver's check of one delivery: `timestamp` and `header` as the
/// `Zhengka-Timestamp` and `Zhengka-Signature` headers came, `body` as the
/// bytes came (before any JSON parsing). Accepts a timestamp within 5 minutes
/// of `now` and the MAC under `secret` (compared in constant time). A
/// receiver also keeps the `Zhengka-Event-Id`s it has accepted (at least for
/// those 5 minutes; simplest: for good) and ignores a repeat: a delivery is
/// retried until answered 2xx, so the same event may come more than once.
pub fn verify_signature(
    secret: &[u8],
    timestamp: &str,
    body: &[u8],
    header: &str,
    now: DateTime<Utc>,
) -> Result<(), Refused> {
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| Refused::BadTimestamp)?;
    if !timestamp_fresh(ts, now) {
        return Err(Refused::Stale);
    }
    let hex = header
        .trim()
        .strip_prefix("v1=")
        .ok_or(Refused::BadHeader)?;
    let tag = unhex(hex).ok_or(Refused::BadHeader)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, &signed_bytes(ts, body), &tag).map_err(|_| Refused::WrongSignature)
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// POST `body` to `url` as event `event_id` at `timestamp`, signed under
/// `key`; the error says what failed in a few words (never the body or the
/// secret), to keep. Any 2xx is delivered.
pub(crate) async fn post_signed(
    client: &reqwest::Client,
    url: &str,
    key: &hmac::Key,
    event_id: &str,
    timestamp: i64,
    body: Vec<u8>,
) -> Result<(), String> {
    let sent = client
        .post(url)
        .header("content-type", "application/json")
        .header("zhengka-event-id", event_id)
        .header("zhengka-timestamp", timestamp.to_string())
        .header("zhengka-signature", sign(key, timestamp, &body))
        .body(body)
        .send()
        .await;
    match sent {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("status {}", r.status().as_u16())),
        Err(e) => Err(super::outgoing::describe(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const BODY: &[u8] = br#"{"id":"ev-1","type":"permit.cancelled"}"#;

    fn at(ts: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(ts, 0).unwrap()
    }

    #[test]
    fn the_known_vector() {
        // Computed independently (Python):
        // hmac.new(b"whsec_test", b'1700000000.' + BODY, "sha256").hexdigest()
        let known = "v1=78036f7f2fa7457762b1229c58a30adc46d9edc5c655ce89ba9927a8c5038103";
        assert_eq!(signature(b"whsec_test", 1_700_000_000, BODY), known);
        assert_eq!(
            verify_signature(b"whsec_test", "1700000000", BODY, known, at(1_700_000_000)),
            Ok(())
        );
    }

    #[test]
    fn the_receiver_refuses_stale_future_wrong_and_malformed() {
        let t = 1_700_000_000;
        let good = signature(b"s", t, BODY);
        let check =
            |ts: &str, body: &[u8], h: &str, now: i64| verify_signature(b"s", ts, body, h, at(now));
        assert_eq!(check("1700000000", BODY, &good, t + 300), Ok(()));
        assert_eq!(
            check("1700000000", BODY, &good, t + 301),
            Err(Refused::Stale)
        );
        assert_eq!(
            check("1700000000", BODY, &good, t - 301),
            Err(Refused::Stale)
        );
        assert_eq!(check("soon", BODY, &good, t), Err(Refused::BadTimestamp));
        assert_eq!(
            check("1700000000", b"{}", &good, t),
            Err(Refused::WrongSignature)
        );
        let later = signature(b"s", t + 1, BODY);
        assert_eq!(
            check("1700000000", BODY, &later, t),
            Err(Refused::WrongSignature)
        );
        let other = signature(b"another secret", t, BODY);
        assert_eq!(
            check("1700000000", BODY, &other, t),
            Err(Refused::WrongSignature)
        );
        assert_eq!(
            check("1700000000", BODY, &good[3..], t),
            Err(Refused::BadHeader)
        );
        assert_eq!(
            check("1700000000", BODY, "v1=zz", t),
            Err(Refused::BadHeader)
        );
    }
}
