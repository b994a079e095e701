//! ISO 7064 MOD 11-2, the check character of Chinese resident IDs (GB 11643)
//! and of the 2023 Foreign Permanent Resident ID.

/// Weight of position i is 2^(17-i) mod 11. Every weight is non-zero modulo
/// the prime 11 and digits differ by 1..=9, so a single wrong digit always
/// changes the check character (the tests verify this exhaustively).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// Check character for `sum mod 11`; `X` stands for 10.
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character of 17 ASCII digits, or `None` if `first17` is not
/// exactly that. The result is a digit or upper-case `X`.
pub fn id_check_character(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(CHECK[(sum % 11) as usize]))
}

/// Whether an upper-cased 18-character ID (17 digits and a check) carries the
/// right check character. Callers have already checked the character set.
pub(super) fn has_valid_check(id: &str) -> bool {
    id.get(..17).and_then(id_check_character) == id.chars().nth(17)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_check_characters() {
        // The sample number of GB 11643, and two made-up numbers whose check
        // characters were computed separately.
        assert_eq!(id_check_character("11010519491231002"), Some('X'));
        assert_eq!(id_check_character("44052418800101001"), Some('4'));
        assert_eq!(id_check_character("33010619850101123"), Some('1'));
    }

    #[test]
    fn rejects_what_is_not_17_digits() {
        for bad in [
            "",
            "1101051949123100",
            "110105194912310021",
            "1101051949123100A",
            "１１０１０５１９４９１２３１００２",
        ] {
            assert_eq!(id_check_character(bad), None, "{bad}");
        }
    }

    #[test]
    fn weights_are_powers_of_two_mod_11() {
        for (i, w) in WEIGHTS.iter().enumerate() {
            assert_eq!(*w, (1u32 << (17 - i)) % 11);
        }
    }

    /// Every single-digit substitution in every position of many prefixes
    /// changes the check character: the claim the property tests rely on.
    #[test]
    fn detects_every_single_digit_substitution() {
        for seed in 0..200u64 {
            let prefix = format!(
                "{:017}",
                seed.wrapping_mul(6_364_136_223_846_793_005) % 100_000_000_000_000_000
            );
            let check = id_check_character(&prefix).unwrap();
            for position in 0..17 {
                for digit in b'0'..=b'9' {
                    let mut changed = prefix.clone().into_bytes();
                    if changed[position] == digit {
                        continue;
                    }
                    changed[position] = digit;
                    let changed = String::from_utf8(changed).unwrap();
                    assert_ne!(id_check_character(&changed), Some(check), "{changed}");
                }
            }
        }
    }
}
