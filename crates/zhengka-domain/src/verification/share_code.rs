//! Share codes: ten Crockford base-32 characters (50 random bits), shown as
//! `XXXXX-XXXXX`, single use and valid for 24 h. Read back forgivingly (case,
//! spaces and dashes ignored; I and L read as 1, O as 0), because a person
//! types them from another person's phone.

use chrono::Duration;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// How long a share code may be used.
pub fn lifetime() -> Duration {
    Duration::hours(24)
}

/// The code for 50 random bits (the low 50 bits of `random`).
pub fn format(random: u64) -> String {
    let mut out = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            out.push('-');
        }
        let shift = 45 - 5 * i;
        out.push(ALPHABET[((random >> shift) & 31) as usize] as char);
    }
    out
}

/// The canonical form of a typed code (`XXXXX-XXXXX`), or `None`.
pub fn parse(typed: &str) -> Option<String> {
    let mut digits = Vec::with_capacity(10);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            c => c,
        };
        let v = ALPHABET.iter().position(|&a| a as char == c)?;
        digits.push(v as u64);
        if digits.len() > 10 {
            return None;
        }
    }
    if digits.len() != 10 {
        return None;
    }
    Some(format(digits.iter().fold(0, |acc, d| (acc << 5) | d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_what_people_type() {
        let code = format(0x3_FFFF_FFFF_FFFF);
        assert_eq!(code, "ZZZZZ-ZZZZZ");
        assert_eq!(parse("zzzzz zzzzz").as_deref(), Some("ZZZZZ-ZZZZZ"));
        assert_eq!(parse("0o1il-23456").as_deref(), Some("00111-23456"));
        assert_eq!(parse("ZZZZZ-ZZZZ"), None);
        assert_eq!(parse("ZZZZZ-ZZZZZZ"), None);
        assert_eq!(parse("UUUUU-UUUUU"), None, "U is not in the alphabet");
        assert_eq!(parse(""), None);
    }

    proptest! {
        #[test]
        fn every_code_reads_back(bits in 0u64..(1 << 50)) {
            let code = format(bits);
            prop_assert_eq!(parse(&code), Some(code.clone()));
            prop_assert_eq!(parse(&code.to_lowercase().replace('-', " ")), Some(code));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            if let Some(c) = parse(&s) {
                prop_assert_eq!(c.len(), 11);
            }
        }
    }
}
