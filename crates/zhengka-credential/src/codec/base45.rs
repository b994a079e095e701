//! Base45 (RFC 9285) over the 45-character QR alphanumeric alphabet.

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Encodes bytes as Base45: each pair of bytes becomes three characters, a final
/// single byte two characters, least significant digit first.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(2) * 3);
    for chunk in bytes.chunks(2) {
        let (mut n, digits) = match chunk {
            [a, b] => (u32::from(*a) * 256 + u32::from(*b), 3),
            [a] => (u32::from(*a), 2),
            _ => unreachable!("chunks(2) yields one or two bytes"),
        };
        for _ in 0..digits {
            out.push(char::from(ALPHABET[(n % 45) as usize]));
            n /= 45;
        }
    }
    out
}

/// Why a Base45 string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Base45Error {
    #[error("character outside the Base45 alphabet")]
    BadCharacter,
    #[error("length leaves a single dangling character")]
    BadLength,
    #[error("a group encodes a value too large for its bytes")]
    Overflow,
}

/// Decodes Base45, refusing characters outside the alphabet, a dangling final
/// character, and groups whose value does not fit (RFC 9285 section 4.2).
pub fn decode(text: &str) -> Result<Vec<u8>, Base45Error> {
    let raw = text.as_bytes();
    if raw.len() % 3 == 1 {
        return Err(Base45Error::BadLength);
    }
    let mut out = Vec::with_capacity(raw.len() / 3 * 2 + 1);
    for group in raw.chunks(3) {
        let mut n: u32 = 0;
        for &c in group.iter().rev() {
            n = n * 45 + digit(c)?;
        }
        if group.len() == 3 {
            let pair = u16::try_from(n).map_err(|_| Base45Error::Overflow)?;
            out.extend_from_slice(&pair.to_be_bytes());
        } else {
            out.push(u8::try_from(n).map_err(|_| Base45Error::Overflow)?);
        }
    }
    Ok(out)
}

/// Value of each byte as a Base45 digit; `NOT_A_DIGIT` outside the alphabet.
const DIGITS: [u8; 256] = {
    let mut table = [NOT_A_DIGIT; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const NOT_A_DIGIT: u8 = 0xff;

fn digit(c: u8) -> Result<u32, Base45Error> {
    match DIGITS[usize::from(c)] {
        NOT_A_DIGIT => Err(Base45Error::BadCharacter),
        d => Ok(u32::from(d)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc_9285_examples() {
        assert_eq!(encode(b"AB"), "BB8");
        assert_eq!(encode(b"Hello!!"), "%69 VD92EX0");
        assert_eq!(encode(b"base-45"), "UJCLQE7W581");
        assert_eq!(decode("QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(decode("GGW"), Err(Base45Error::Overflow));
        assert_eq!(decode("ZZZ"), Err(Base45Error::Overflow));
        assert_eq!(decode("A"), Err(Base45Error::BadLength));
        assert_eq!(decode("aa"), Err(Base45Error::BadCharacter));
    }

    proptest! {
        #[test]
        fn round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(decode(&encode(&bytes)).unwrap(), bytes);
        }

        #[test]
        fn digit_table_matches_the_alphabet(c in any::<u8>()) {
            let expected = ALPHABET.iter().position(|&a| a == c).map(|p| p as u32);
            prop_assert_eq!(digit(c).ok(), expected);
        }

        #[test]
        fn decode_never_panics(text in "[0-9A-Z $%*+./:a-z-]{0,60}") {
            let _ = decode(&text);
        }
    }
}
