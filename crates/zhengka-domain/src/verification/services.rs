//! The one-card service catalogue: the public services the card opens (264 at
//! launch in Zhejiang), by sector. Each service names the verification purpose
//! a relying party states when it checks a card for it, so that a gate learns
//! no more than a gate needs. Imported whole or not at all, with every bad line
//! reported (CSV with a header, or JSON lines).

use serde::{Deserialize, Serialize};

use crate::InvalidValue;
use crate::cards::LineError;
use crate::ids::RegionCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    GovernmentAffairs,
    Transport,
    CultureTourism,
    Finance,
    Healthcare,
    Library,
}

impl Sector {
    pub const ALL: [Sector; 6] = [
        Self::GovernmentAffairs,
        Self::Transport,
        Self::CultureTourism,
        Self::Finance,
        Self::Healthcare,
        Self::Library,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GovernmentAffairs => "government_affairs",
            Self::Transport => "transport",
            Self::CultureTourism => "culture_tourism",
            Self::Finance => "finance",
            Self::Healthcare => "healthcare",
            Self::Library => "library",
        }
    }

    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| {
                InvalidValue::new(
                    "unknown_sector",
                    "sector is one of government_affairs, transport, culture_tourism, finance, healthcare, library",
                )
            })
    }

    /// The verification purposes a service of this sector may name
    /// (VERIFICATION.md's disclosure table).
    pub fn purposes(self) -> &'static [&'static str] {
        match self {
            Self::GovernmentAffairs => &["government_service"],
            Self::Transport => &["transit"],
            Self::CultureTourism => &["culture_venue"],
            Self::Finance => &["bank"],
            Self::Healthcare => &["healthcare", "pharmacy"],
            Self::Library => &["library"],
        }
    }
}

/// A service code: 3 to 40 of `A-Z`, `0-9` and `-`, unique in the catalogue.
fn parse_code(raw: &str) -> Result<String, InvalidValue> {
    let s = raw.trim().to_ascii_uppercase();
    let ok = (3..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(s)
    } else {
        Err(InvalidValue::new(
            "invalid_service_code",
            "a service code has 3 to 40 of A-Z, 0-9 and '-'",
        ))
    }
}

fn parse_text(raw: &str, code: &'static str, max: usize) -> Result<String, InvalidValue> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(InvalidValue::new(
            code,
            format!("1 to {max} characters, no control characters"),
        ));
    }
    Ok(s)
}

/// A service as an admin or an import file gives it (unchecked strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub code: String,
    pub sector: String,
    pub purpose: String,
    pub name_zh: String,
    pub name_en: String,
    pub provider: String,
    pub region_code: String,
    #[serde(default = "active_default")]
    pub active: bool,
}

fn active_default() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub code: String,
    pub sector: Sector,
    pub purpose: String,
    pub name_zh: String,
    pub name_en: String,
    pub provider: String,
    pub region_code: RegionCode,
    pub active: bool,
}

/// Check every field; the first error per field, each with its field name.
pub fn check(input: &ServiceInput) -> Result<Service, Vec<(&'static str, InvalidValue)>> {
    let mut errors = Vec::new();
    let mut take = |field: &'static str, r: Result<(), InvalidValue>| {
        if let Err(e) = r {
            errors.push((field, e));
        }
    };
    let code = parse_code(&input.code);
    take("code", code.clone().map(drop));
    let sector = Sector::parse(&input.sector);
    take("sector", sector.clone().map(drop));
    let purpose = input.purpose.trim().to_owned();
    if let Ok(s) = &sector {
        let fits = s.purposes().contains(&purpose.as_str());
        take(
            "purpose",
            fits.then_some(()).ok_or_else(|| {
                InvalidValue::new(
                    "purpose_not_of_sector",
                    format!(
                        "a {} service verifies for {}",
                        s.as_str(),
                        s.purposes().join(" or ")
                    ),
                )
            }),
        );
    }
    let name_zh = parse_text(&input.name_zh, "invalid_service_name", 100);
    take("name_zh", name_zh.clone().map(drop));
    let name_en = parse_text(&input.name_en, "invalid_service_name", 150);
    take("name_en", name_en.clone().map(drop));
    let provider = parse_text(&input.provider, "invalid_provider", 150);
    take("provider", provider.clone().map(drop));
    let region = RegionCode::parse(&input.region_code);
    take("region_code", region.clone().map(drop));
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Service {
        code: code.expect("checked"),
        sector: sector.expect("checked"),
        purpose,
        name_zh: name_zh.expect("checked"),
        name_en: name_en.expect("checked"),
        provider: provider.expect("checked"),
        region_code: region.expect("checked"),
        active: input.active,
    })
}

const CSV_HEADER: [&str; 7] = [
    "code",
    "sector",
    "purpose",
    "name_zh",
    "name_en",
    "provider",
    "region_code",
];

/// At most this many services per import.
pub const MAX_IMPORT_LINES: usize = 10_000;

/// Parse an import file: CSV with the header
/// `code,sector,purpose,name_zh,name_en,provider,region_code[,active]`, or
/// JSON lines (one `ServiceInput` per line). Every service or none: any bad
/// line (or a code given twice) is reported with its number; blank lines are
/// skipped.
pub fn parse_import(text: &str) -> Result<Vec<Service>, Vec<LineError>> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, first)) = lines.clone().next() else {
        return Err(vec![line_error(
            1,
            None,
            "empty_import",
            "the file has no services",
        )]);
    };
    let csv = !first.trim_start().starts_with('{');
    if csv {
        let header: Vec<String> = split_csv(first)
            .into_iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let expected = header.len() >= 7 && header[..7] == CSV_HEADER && header.len() <= 8;
        if !expected || (header.len() == 8 && header[7] != "active") {
            return Err(vec![line_error(
                1,
                None,
                "invalid_header",
                "the header is code,sector,purpose,name_zh,name_en,provider,region_code[,active]",
            )]);
        }
        lines.next();
    }
    let mut services = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in lines {
        let n = i + 1;
        if services.len() + errors.len() >= MAX_IMPORT_LINES {
            errors.push(line_error(
                n,
                None,
                "too_many_lines",
                "at most 10,000 services per import",
            ));
            break;
        }
        let input = if csv {
            csv_input(line)
        } else {
            json_input(line)
        };
        match input.map_err(|e| vec![("line", e)]).and_then(|i| check(&i)) {
            Ok(s) if !seen.insert(s.code.clone()) => errors.push(line_error(
                n,
                Some("code"),
                "duplicate_code",
                "this code is given on an earlier line",
            )),
            Ok(s) => services.push(s),
            Err(es) => errors.extend(
                es.into_iter()
                    .map(|(f, e)| line_error(n, (f != "line").then_some(f), e.code, &e.message)),
            ),
        }
    }
    if errors.is_empty() {
        Ok(services)
    } else {
        Err(errors)
    }
}

fn line_error(line: usize, field: Option<&str>, code: &str, message: &str) -> LineError {
    LineError {
        line,
        field: field.map(str::to_owned),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

fn json_input(line: &str) -> Result<ServiceInput, InvalidValue> {
    serde_json::from_str(line).map_err(|e| InvalidValue::new("invalid_json_line", e.to_string()))
}

fn csv_input(line: &str) -> Result<ServiceInput, InvalidValue> {
    let cells = split_csv(line);
    if !(7..=8).contains(&cells.len()) {
        return Err(InvalidValue::new(
            "wrong_cell_count",
            format!("7 or 8 cells expected, got {}", cells.len()),
        ));
    }
    let active = match cells.get(7).map(|s| s.trim()) {
        None | Some("" | "true" | "1" | "yes") => true,
        Some("false" | "0" | "no") => false,
        Some(_) => {
            return Err(InvalidValue::new(
                "invalid_active",
                "active is true or false",
            ));
        }
    };
    Ok(ServiceInput {
        code: cells[0].clone(),
        sector: cells[1].clone(),
        purpose: cells[2].clone(),
        name_zh: cells[3].clone(),
        name_en: cells[4].clone(),
        provider: cells[5].clone(),
        region_code: cells[6].clone(),
        active,
    })
}

/// RFC 4180 cells of one line: commas separate, double quotes enclose a cell
/// that holds commas or quotes (`""` is a quote). Services hold no newlines.
fn split_csv(line: &str) -> Vec<String> {
    let mut cells = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let cell = cells.last_mut().expect("one cell at least");
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            ('"', true) => quoted = false,
            ('"', false) if cell.is_empty() => quoted = true,
            (',', false) => cells.push(String::new()),
            (c, _) => cell.push(c),
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = "code,sector,purpose,name_zh,name_en,provider,region_code";

    #[test]
    fn a_csv_file_imports_with_quoted_cells() {
        let text = format!(
            "{HEADER}\nGZ-METRO,transport,transit,广州地铁乘车,\"Guangzhou Metro, ride\",广州地铁集团,440100\n\n\
             GZ-LIB-LOAN,library,library,广州图书馆借阅,Guangzhou Library loan,广州图书馆,440100\n"
        );
        let s = parse_import(&text).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name_en, "Guangzhou Metro, ride");
        assert_eq!(s[1].sector, Sector::Library);
    }

    #[test]
    fn json_lines_import_too() {
        let line = r#"{"code":"sz-bank","sector":"finance","purpose":"bank","name_zh":"银行开户","name_en":"Bank account","provider":"ICBC Shenzhen","region_code":"440300"}"#;
        let s = parse_import(line).unwrap();
        assert_eq!(s[0].code, "SZ-BANK");
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_imports() {
        let text = format!(
            "{HEADER}\nGZ-METRO,transport,healthcare,广州地铁,Metro,广州地铁,440100\n\
             GZ-METRO,transport,transit,广州地铁,Metro,广州地铁,440100\n\
             GZ-METRO,transport,transit,广州地铁,Metro,广州地铁,440100\n\
             X,spaceport,transit,a,b,c,999999\nonly,three,cells\n"
        );
        let errors = parse_import(&text).unwrap_err();
        let got: Vec<(usize, Option<&str>, &str)> = errors
            .iter()
            .map(|e| (e.line, e.field.as_deref(), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, Some("purpose"), "purpose_not_of_sector"),
                (4, Some("code"), "duplicate_code"),
                (5, Some("code"), "invalid_service_code"),
                (5, Some("sector"), "unknown_sector"),
                (5, Some("region_code"), "unknown_region_code"),
                (6, None, "wrong_cell_count"),
            ]
        );
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_refused() {
        assert_eq!(parse_import("").unwrap_err()[0].code, "empty_import");
        assert_eq!(
            parse_import("a,b,c\n").unwrap_err()[0].code,
            "invalid_header"
        );
    }

    proptest! {
        #[test]
        fn no_input_panics(text in "\\PC{0,300}") {
            let _ = parse_import(&text);
        }

        #[test]
        fn quoted_cells_round_trip(cells in proptest::collection::vec("[^\\n\\r]{0,20}", 1..8)) {
            let line = cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect::<Vec<_>>().join(",");
            prop_assert_eq!(split_csv(&line), cells);
        }
    }
}
