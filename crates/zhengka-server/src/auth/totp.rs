//! Time-based one-time passwords (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits),
//! the form every authenticator app reads from an `otpauth://` URI.

use ring::hmac;

pub const STEP_SECS: i64 = 30;
const DIGITS: u32 = 6;
/// Codes from one step either side are accepted, for clock drift.
const DRIFT_STEPS: i64 = 1;

pub fn step_at(unix: i64) -> i64 {
    unix.div_euclid(STEP_SECS)
}

/// The code for `step` (RFC 4226 dynamic truncation).
pub fn code(secret: &[u8], step: i64) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &step.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[19] & 0x0f);
    let bin = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    bin % 10u32.pow(DIGITS)
}

/// The step `given` matches at `unix`, if any. Only six ASCII digits count.
pub fn matching_step(secret: &[u8], given: &str, unix: i64) -> Option<i64> {
    let given = given.trim();
    if given.len() != DIGITS as usize || !given.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u32 = given.parse().ok()?;
    let now = step_at(unix);
    (now - DRIFT_STEPS..=now + DRIFT_STEPS).find(|s| code(secret, *s) == value)
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// `otpauth://totp/ISSUER:USER?secret=...&issuer=ISSUER` (label parts are
/// percent-encoded).
pub fn otpauth_uri(issuer: &str, username: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(username),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_vectors() {
        // Appendix B, truncated to six digits.
        for (t, expected) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
            (20_000_000_000, 353_130),
        ] {
            assert_eq!(code(RFC_SECRET, step_at(t)), expected, "t={t}");
        }
    }

    #[test]
    fn neighbouring_steps_match_and_others_do_not() {
        let t = 1_111_111_109;
        assert_eq!(matching_step(RFC_SECRET, "081804", t), Some(step_at(t)));
        assert_eq!(
            matching_step(RFC_SECRET, "081804", t + 30),
            Some(step_at(t))
        );
        assert_eq!(matching_step(RFC_SECRET, "081804", t + 90), None);
        assert_eq!(matching_step(RFC_SECRET, "81804", t), None, "six digits");
        assert_eq!(matching_step(RFC_SECRET, "08180a", t), None);
    }

    #[test]
    fn base32_matches_rfc_4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert!(
            otpauth_uri("zhengka 440000", "hr@a", b"ab")
                .starts_with("otpauth://totp/zhengka%20440000:hr%40a?secret=MFRA&")
        );
    }
}
