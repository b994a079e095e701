//! Offline gates: the gate's keys as text files, its log of verdicts (one
//! tab-separated line per verdict), and the signed batch in which it uploads
//! them: a COSE_Sign1 (typ [`GATE_LOG_TYP`]) over the CBOR map
//! `{"gate": id, "iat": seconds, "log": bstr of log lines}`. The log travels as
//! one byte string, so a batch of a thousand lines stays a handful of CBOR
//! items for the strict decoder.

use ciborium::Value;

use crate::alg::Algorithm;
use crate::claims::map::{self, int, text};
use crate::codec::cbor::{MapView, Raw, as_bytes, as_i64, as_text};
use crate::cose::{self, Parsed};
use crate::error::Rejection;
use crate::keys::{KeyError, Pkcs8, PublicKey, SigningKey};

/// `typ` header of a gate's signed log batch.
pub const GATE_LOG_TYP: &str = "application/zhengka-gate-log+cbor";
/// Most entries in one batch (the uploader splits longer logs).
pub const MAX_BATCH_ENTRIES: usize = 1000;
/// Largest signed batch accepted: 1000 lines of at most 300 bytes, and headroom.
pub const MAX_BATCH_BYTES: usize = 320 * 1024;
/// Longest log line accepted.
const MAX_LINE: usize = 300;

/// `ALG:hex` as `keys export-public` prints a public key (`EdDSA:…`, `ES256:…`).
pub fn public_key_text(key: &PublicKey) -> String {
    format!("{}:{}", key.alg().name(), hex(key.as_bytes()))
}

/// Parses `ALG:hex` (ALG one of `ES256`, `EdDSA`, `SM2-SM3`, any case).
pub fn parse_public_key(s: &str) -> Result<PublicKey, KeyError> {
    let (alg, bytes) = split_key_text(s)?;
    PublicKey::from_bytes(alg, &bytes)
}

/// `ALG:hex of PKCS#8`: the gate's private key file (keep it 0600).
pub fn signing_key_text(key: &SigningKey) -> String {
    format!("{}:{}", key.alg().name(), hex(key.to_pkcs8().as_der()))
}

/// Parses what [`signing_key_text`] wrote.
pub fn parse_signing_key(s: &str) -> Result<SigningKey, KeyError> {
    let (alg, der) = split_key_text(s).map_err(|_| KeyError::BadPrivateKey)?;
    SigningKey::from_pkcs8(alg, &Pkcs8::from_der(der))
}

/// The algorithm of a name as `keys export-public` prints it.
pub fn algorithm_named(name: &str) -> Option<Algorithm> {
    Algorithm::ALL
        .into_iter()
        .find(|a| a.name().eq_ignore_ascii_case(name.trim()))
}

fn split_key_text(s: &str) -> Result<(Algorithm, Vec<u8>), KeyError> {
    let (alg, hex) = s.trim().split_once(':').ok_or(KeyError::BadPublicKey)?;
    let alg = algorithm_named(alg).ok_or(KeyError::BadPublicKey)?;
    Ok((alg, unhex(hex).ok_or(KeyError::BadPublicKey)?))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One verdict of a gate, as logged and uploaded. `purpose` is the
/// verification purpose the gate is registered for (e.g. `transit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The gate's own id of the entry (unique per gate): a re-upload of the
    /// same entry adds nothing.
    pub id: String,
    /// Unix seconds of the verdict.
    pub at: i64,
    /// Whose credential (absent when the QR named none that verified).
    pub permit_number: Option<String>,
    pub purpose: String,
    /// `notice`, `card` or `presentation`.
    pub credential_kind: String,
    /// `valid` or `rejected`.
    pub result: String,
    /// The rejection's code.
    pub reason: Option<String>,
}

/// A field of a log line that is not well formed, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineError {
    pub field: &'static str,
    pub code: &'static str,
}

const FIELDS: usize = 8;
/// The first field of every line: the line format's version.
const VERSION: &str = "v1";

fn token(s: &str, max: usize, extra: &[char]) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
}

fn bad(field: &'static str) -> LineError {
    LineError {
        field,
        code: "invalid_value",
    }
}

impl LogEntry {
    /// The log line (no newline): `v1 id at permit purpose kind result reason`,
    /// tab-separated, absent values empty.
    pub fn to_line(&self) -> String {
        [
            VERSION,
            &self.id,
            &self.at.to_string(),
            self.permit_number.as_deref().unwrap_or(""),
            &self.purpose,
            &self.credential_kind,
            &self.result,
            self.reason.as_deref().unwrap_or(""),
        ]
        .join("\t")
    }

    /// Parses one line, checking each field's shape; the first bad field.
    pub fn from_line(line: &str) -> Result<Self, LineError> {
        let f: Vec<&str> = line.split('\t').collect();
        if line.len() > MAX_LINE || f.len() != FIELDS || f[0] != VERSION {
            return Err(LineError {
                field: "entry",
                code: "malformed_entry",
            });
        }
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let entry = LogEntry {
            id: f[1].to_owned(),
            at: f[2].parse().map_err(|_| bad("at"))?,
            permit_number: opt(f[3]),
            purpose: f[4].to_owned(),
            credential_kind: f[5].to_owned(),
            result: f[6].to_owned(),
            reason: opt(f[7]),
        };
        entry.check()?;
        Ok(entry)
    }

    /// The shapes: ids and codes are short ASCII tokens, the kind and result
    /// one of theirs, a rejection has a reason and a valid verdict a permit.
    pub fn check(&self) -> Result<(), LineError> {
        if !token(&self.id, 64, &['-', '_']) {
            return Err(bad("id"));
        }
        if let Some(p) = &self.permit_number
            && !token(p, 32, &[])
        {
            return Err(bad("permit_number"));
        }
        if !token(&self.purpose, 40, &['_']) {
            return Err(bad("purpose"));
        }
        if !["notice", "card", "presentation"].contains(&self.credential_kind.as_str()) {
            return Err(bad("credential_kind"));
        }
        match (self.result.as_str(), &self.reason, &self.permit_number) {
            ("valid", None, Some(_)) => {}
            ("rejected", Some(r), _) if token(r, 64, &['_']) => {}
            ("rejected", _, _) => return Err(bad("reason")),
            ("valid", _, None) => return Err(bad("permit_number")),
            _ => return Err(bad("result")),
        }
        Ok(())
    }
}

/// Signs a batch of `entries` for `gate_id` at `iat` (Unix seconds).
pub fn sign_batch(key: &SigningKey, gate_id: &str, iat: i64, entries: &[LogEntry]) -> Vec<u8> {
    let mut log = String::new();
    for e in entries {
        log.push_str(&e.to_line());
        log.push('\n');
    }
    let payload = Value::Map(vec![
        (text("gate"), text(gate_id)),
        (text("iat"), int(iat)),
        (text("log"), Value::Bytes(log.into_bytes())),
    ]);
    cose::sign(key, true, Some(GATE_LOG_TYP), map::to_bytes(&payload))
}

/// A batch whose structure is sound; its signature is checked with
/// [`SignedBatch::verify`] against the key registered for `gate_id`.
#[derive(Debug, Clone)]
pub struct SignedBatch {
    pub gate_id: String,
    pub iat: i64,
    log: Vec<u8>,
    parsed: Parsed,
}

impl SignedBatch {
    /// Parses the COSE_Sign1 and its payload (no signature check yet: the
    /// gate id says which key to check it with).
    pub fn open(bytes: &[u8]) -> Result<Self, Rejection> {
        if bytes.len() > MAX_BATCH_BYTES {
            return Err("gate log batch too large".into());
        }
        let parsed = cose::parse(bytes)?;
        if parsed.typ.as_deref() != Some(GATE_LOG_TYP) {
            return Err("not a gate log batch".into());
        }
        let m = MapView::of(Raw::whole(&parsed.payload)?)?;
        m.only_text_keys(&["gate", "iat", "log"])?;
        Ok(SignedBatch {
            gate_id: as_text(m.get_text("gate"), "gate log gate")?,
            iat: as_i64(m.get_text("iat"), "gate log iat")?,
            log: as_bytes(m.get_text("log"), "gate log lines")?,
            parsed,
        })
    }

    /// Checks the signature (and its `alg`) under the gate's registered key.
    pub fn verify(&self, key: &PublicKey) -> Result<(), Rejection> {
        if self.parsed.kid() != Some(key.kid()) {
            return Err(Rejection::BadSignature);
        }
        self.parsed.verify(key)
    }

    /// Each line parsed, in order (an empty log gives none).
    pub fn entries(&self) -> Vec<Result<LogEntry, LineError>> {
        let Ok(text) = std::str::from_utf8(&self.log) else {
            return vec![Err(LineError {
                field: "entry",
                code: "malformed_entry",
            })];
        };
        text.lines().map(LogEntry::from_line).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> LogEntry {
        LogEntry {
            id: format!("e-{i}"),
            at: 1_767_225_600 + i as i64,
            permit_number: Some("440100202600001".into()),
            purpose: "transit".into(),
            credential_kind: "presentation".into(),
            result: "valid".into(),
            reason: None,
        }
    }

    #[test]
    fn a_line_reads_back_and_bad_fields_are_named() {
        let mut e = entry(1);
        assert_eq!(LogEntry::from_line(&e.to_line()), Ok(e.clone()));
        e.result = "rejected".into();
        e.reason = Some("replayed_or_stale_presentation".into());
        e.permit_number = None;
        assert_eq!(LogEntry::from_line(&e.to_line()), Ok(e.clone()));
        let field = |line: &str| LogEntry::from_line(line).unwrap_err().field;
        assert_eq!(field(&e.to_line().replace("e-1", "e 1")), "id");
        assert_eq!(field(&e.to_line().replace("rejected", "maybe")), "result");
        assert_eq!(
            field(&e.to_line().replace("\tpresentation", "\tpass")),
            "credential_kind"
        );
        assert_eq!(field("v2\tx"), "entry");
        let mut valid_without_permit = entry(2);
        valid_without_permit.permit_number = None;
        assert_eq!(field(&valid_without_permit.to_line()), "permit_number");
    }

    #[test]
    fn a_batch_verifies_under_its_key_only() {
        for alg in [Algorithm::EdDsa, Algorithm::Es256] {
            let key = SigningKey::generate(alg).unwrap();
            let entries: Vec<LogEntry> = (0..3).map(entry).collect();
            let bytes = sign_batch(&key, "gate-7", 1_767_225_700, &entries);
            let batch = SignedBatch::open(&bytes).unwrap();
            assert_eq!(
                (batch.gate_id.as_str(), batch.iat),
                ("gate-7", 1_767_225_700)
            );
            let text = public_key_text(key.public_key());
            assert!(text.starts_with(alg.name()));
            assert_eq!(batch.verify(&parse_public_key(&text).unwrap()), Ok(()));
            let got: Vec<LogEntry> = batch.entries().into_iter().map(Result::unwrap).collect();
            assert_eq!(got, entries);
            let other = SigningKey::generate(alg).unwrap();
            assert_eq!(
                batch.verify(other.public_key()),
                Err(Rejection::BadSignature)
            );
            let mut forged = bytes.clone();
            let at = forged.len() - 70;
            forged[at] ^= 1;
            let forged = SignedBatch::open(&forged).unwrap();
            assert!(forged.verify(key.public_key()).is_err());
        }
    }

    #[test]
    fn key_texts_round_trip() {
        let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
        let back = parse_signing_key(&signing_key_text(&key)).unwrap();
        assert_eq!(back.public_key(), key.public_key());
        assert!(parse_public_key("RSA:00").is_err());
        assert!(parse_public_key("EdDSA:zz").is_err());
        assert!(parse_public_key("EdDSA:0011").is_err());
    }
}
