//! The numbers a card carries: its card number (ours), the chip serial (the
//! manufacturer's) and the linked bank account (the cooperating bank's).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::InvalidValue;
use crate::social_security::mask;

/// *(design)* `ZK` + 9 digits + an ISO 7064 MOD 11,10 check digit, 12 in all.
/// Not personal: it names the card, and a replacement gets a new one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

fn mod11_10(digits: &str) -> u32 {
    let mut p = 10;
    for d in digits.bytes().map(|b| u32::from(b - b'0')) {
        let s = match (p + d) % 10 {
            0 => 10,
            s => s,
        };
        p = (s * 2) % 11;
    }
    (11 - p) % 10
}

impl CardNumber {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        let digits = s.strip_prefix("ZK").unwrap_or("");
        if s.len() != 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(
                "invalid_card_number",
                "a card number is ZK and 10 digits",
            ));
        }
        if mod11_10(&digits[..9]) != u32::from(digits.as_bytes()[9] - b'0') {
            return Err(InvalidValue::new(
                "invalid_card_number_check",
                "the check digit of the card number is wrong",
            ));
        }
        Ok(Self(s))
    }

    /// A new number; `random` comes from the caller, uniqueness from the store.
    pub fn assign(random: u64) -> Self {
        let body = format!("{:09}", random % 1_000_000_000);
        let check = mod11_10(&body);
        Self(format!("ZK{body}{check}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CardNumber {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CardNumber> for String {
    fn from(c: CardNumber) -> String {
        c.0
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bank card number (PAN): 16 to 19 digits with a Luhn check. Sensitive
/// (PIPL art. 28): Debug masks it; storage keeps it encrypted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BankAccount(String);

fn luhn_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

impl BankAccount {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if !(16..=19).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidValue::new(
                "invalid_bank_account",
                "a bank card number has 16 to 19 digits",
            ));
        }
        if !luhn_ok(&s) {
            return Err(InvalidValue::new(
                "invalid_bank_account_check",
                "the check digit of the bank card number is wrong",
            ));
        }
        Ok(Self(s))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask(&self.0, 4, 4)
    }
}

impl TryFrom<String> for BankAccount {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BankAccount> for String {
    fn from(b: BankAccount) -> String {
        b.0
    }
}

impl fmt::Debug for BankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BankAccount({})", self.masked())
    }
}

/// The chip's serial as the manufacturer reports it: 8 to 32 letters/digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChipSerial(String);

impl ChipSerial {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_uppercase();
        if !(8..=32).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(InvalidValue::new(
                "invalid_chip_serial",
                "a chip serial has 8 to 32 letters and digits",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ChipSerial {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ChipSerial> for String {
    fn from(c: ChipSerial) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn card_numbers() {
        let c = CardNumber::assign(123_456_789);
        assert!(c.as_str().starts_with("ZK123456789"));
        assert_eq!(CardNumber::parse(&c.as_str().to_lowercase()).unwrap(), c);
        assert_eq!(
            CardNumber::parse("ZK12").unwrap_err().code,
            "invalid_card_number"
        );
        let mut bad = c.as_str().to_owned();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        assert_eq!(
            CardNumber::parse(&bad).unwrap_err().code,
            "invalid_card_number_check"
        );
    }

    #[test]
    fn bank_accounts_are_luhn_checked_and_masked() {
        let b = BankAccount::parse("6222 0212 3456 7899 8").unwrap_err();
        assert_eq!(b.code, "invalid_bank_account_check");
        let ok = BankAccount::parse("4111111111111111").unwrap();
        assert_eq!(ok.masked(), "4111********1111");
        assert!(!format!("{ok:?}").contains("4111111111111111"));
        assert_eq!(
            BankAccount::parse("12").unwrap_err().code,
            "invalid_bank_account"
        );
    }

    proptest! {
        #[test]
        fn assigned_card_numbers_parse(r in any::<u64>()) {
            let c = CardNumber::assign(r);
            prop_assert_eq!(CardNumber::parse(c.as_str()).unwrap(), c);
        }

        #[test]
        fn a_changed_digit_of_a_card_number_is_caught(r in any::<u64>(), pos in 2usize..12, d in 1u8..10) {
            let mut b = CardNumber::assign(r).as_str().as_bytes().to_vec();
            b[pos] = b'0' + (b[pos] - b'0' + d) % 10;
            prop_assert!(CardNumber::parse(std::str::from_utf8(&b).unwrap()).is_err());
        }
    }
}
