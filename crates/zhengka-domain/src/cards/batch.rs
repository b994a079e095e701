//! The files exchanged with the card manufacturer and the cooperating bank.
//!
//! Out: one JSON object per line (`BatchLine`), with a manifest naming the
//! batch, the count and the SHA-256 of the lines. Back: one JSON object per
//! line (`ReturnLine`: card number, chip serial, bank account). A return file
//! is applied whole or not at all; every bad line is reported with its number.

use std::collections::HashSet;

use serde::Serialize;

use super::{BankAccount, Card, CardNumber, ChipSerial, DeliveryAddress, Handover};
use crate::InvalidValue;

/// One card to personalise, as the manufacturer receives it.
#[derive(Debug, Clone, Serialize)]
pub struct BatchLine<'a> {
    pub card_number: &'a CardNumber,
    #[serde(flatten)]
    pub elements: &'a super::CardElements,
    pub card_valid_to: chrono::NaiveDate,
    pub handover: &'a Handover,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<&'a DeliveryAddress>,
    /// A replacement keeps the bank account of the card it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaces: Option<&'a CardNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<&'a BankAccount>,
}

impl<'a> BatchLine<'a> {
    pub fn of(card: &'a Card) -> Self {
        Self {
            card_number: &card.card_number,
            elements: &card.elements,
            card_valid_to: card.valid_to,
            handover: &card.handover,
            delivery: card.delivery.as_ref(),
            replaces: card.replaces.as_ref(),
            bank_account: card.bank_account.as_ref(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnLine {
    pub card_number: CardNumber,
    pub chip_serial: ChipSerial,
    pub bank_account: BankAccount,
}

/// A bad line of a return file: its number (from 1), the field and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

impl LineError {
    fn new(line: usize, field: Option<&str>, e: InvalidValue) -> Self {
        Self {
            line,
            field: field.map(str::to_owned),
            code: e.code.to_owned(),
            message: e.message,
        }
    }
}

/// Parse a return file against the cards of its batch: every line well formed,
/// each card of the batch at most once, no card from elsewhere. Empty lines are
/// skipped. All lines or none.
pub fn parse_return_file(
    text: &str,
    batch: &[CardNumber],
) -> Result<Vec<ReturnLine>, Vec<LineError>> {
    let known: HashSet<&CardNumber> = batch.iter().collect();
    let mut seen = HashSet::new();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let n = i + 1;
        let line = match parse_line(raw) {
            Ok(l) => l,
            Err((field, e)) => {
                errors.push(LineError::new(n, field, e));
                continue;
            }
        };
        let problem = if !known.contains(&line.card_number) {
            Some(("card_not_in_batch", "this card is not in the batch"))
        } else if !seen.insert(line.card_number.clone()) {
            Some(("duplicate_card", "this card appears twice in the file"))
        } else {
            None
        };
        match problem {
            Some((code, msg)) => errors.push(LineError::new(
                n,
                Some("card_number"),
                InvalidValue::new(code, msg),
            )),
            None => lines.push(line),
        }
    }
    if lines.is_empty() && errors.is_empty() {
        errors.push(LineError::new(
            0,
            None,
            InvalidValue::new("empty_file", "the file has no lines"),
        ));
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors)
    }
}

type LineFault = (Option<&'static str>, InvalidValue);

/// One line, field by field, so an error names the field it is about.
fn parse_line(raw: &str) -> Result<ReturnLine, LineFault> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw)
        .map_err(|e| (None, InvalidValue::new("invalid_json", e.to_string())))?;
    const FIELDS: [&str; 3] = ["card_number", "chip_serial", "bank_account"];
    if let Some(k) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err((
            None,
            InvalidValue::new("unknown_field", format!("unknown field `{k}`")),
        ));
    }
    let text = |f: &'static str| -> Result<&str, LineFault> {
        match map.get(f) {
            Some(serde_json::Value::String(s)) => Ok(s),
            Some(_) => Err((
                Some(f),
                InvalidValue::new("invalid_type", "expected a string"),
            )),
            None => Err((
                Some(f),
                InvalidValue::new("required", format!("{f} is required")),
            )),
        }
    };
    let at = |f: &'static str| move |e: InvalidValue| (Some(f), e);
    Ok(ReturnLine {
        card_number: CardNumber::parse(text("card_number")?).map_err(at("card_number"))?,
        chip_serial: ChipSerial::parse(text("chip_serial")?).map_err(at("chip_serial"))?,
        bank_account: BankAccount::parse(text("bank_account")?).map_err(at("bank_account"))?,
    })
}
