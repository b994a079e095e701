//! Every error code the domain, the store and the server can give has its
//! words in both catalogues (`error.{code}`), so a refused form is explained
//! in the page's language, never in a developer's English. The codes are
//! found the way a reviewer would grep for them: the literal code argument
//! of each constructor, `code: "..."` fields, and the bodies of `fn code`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::i18n::Lang;

/// Constructors and the position of their code argument.
const CALLS: [(&str, usize); 11] = [
    ("InvalidValue::new(", 0),
    ("FieldError::new(", 1),
    ("RuleError::conflict(", 0),
    ("ApiError::invalid(", 1),
    ("ApiError::conflict(", 0),
    ("bad_request(", 0),
    ("Self::conflict(", 0),
    ("Self::invalid(", 1),
    // Local helpers that pass their code on (`citizen_id::error`, batch lines).
    ("Err(error(", 0),
    (" error(", 0),
    ("Some((", 0),
];

/// Codes chosen at run time from a fixed set (serde's kinds of failure) or
/// written as the `ApiError` variants' own.
const FIXED: [&str; 10] = [
    "invalid_type",
    "unknown_value",
    "invalid_value",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "payload_too_large",
    "unsupported_media_type",
    "too_many_attempts",
    "internal",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The arguments of the call whose `(` ends just before `rest`, split at
/// top-level commas (strings and nested brackets kept whole).
fn arguments(rest: &str) -> Vec<String> {
    let (mut args, mut depth, mut in_str, mut escaped) = (vec![String::new()], 0, false, false);
    for c in rest.chars() {
        let arg = args.last_mut().expect("one argument at least");
        if in_str {
            arg.push(c);
            in_str = escaped || c != '"';
            escaped = !escaped && c == '\\';
            continue;
        }
        match c {
            '"' => in_str = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(String::new());
                continue;
            }
            _ => {}
        }
        args.last_mut().expect("one argument").push(c);
    }
    args
}

fn code_literal(arg: &str) -> Option<&str> {
    let code = arg.trim().strip_prefix('"')?.strip_suffix('"')?;
    // A code has a letter: `"440100"` in a tuple is a region, not a code.
    let snake = code.bytes().any(|b| b.is_ascii_lowercase())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    snake.then_some(code)
}

/// Every code in `source`.
fn codes_in(source: &str) -> Vec<String> {
    let mut found = vec![];
    for (call, position) in CALLS {
        for (i, _) in source.match_indices(call) {
            let args = arguments(&source[i + call.len()..]);
            if let Some(code) = args.get(position).and_then(|a| code_literal(a)) {
                found.push(code.to_owned());
            }
        }
    }
    for (i, _) in source.match_indices("code: \"") {
        let rest = &source[i + "code: ".len()..];
        if let Some(end) = rest[1..].find('"')
            && let Some(code) = code_literal(&rest[..end + 2])
        {
            found.push(code.to_owned());
        }
    }
    for (i, _) in source.match_indices("fn code(&self) -> &'static str {") {
        let body = &source[i..];
        let body = &body[..body.find("\n    }\n").unwrap_or(body.len())];
        found.extend(
            body.split('"')
                .skip(1)
                .step_by(2)
                .filter_map(|s| code_literal(&format!("\"{s}\"")).map(str::to_owned)),
        );
    }
    found
}

#[test]
fn every_error_code_has_words_in_both_languages() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![];
    for krate in ["zhengka-domain", "zhengka-store", "zhengka-server"] {
        sources(&crates.join(krate).join("src"), &mut files);
    }
    files.retain(|f| !f.ends_with("web/error_codes.rs"));
    let mut codes: BTreeMap<String, String> = FIXED
        .iter()
        .map(|c| (c.to_string(), "fixed".to_owned()))
        .collect();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable source");
        for code in codes_in(&source) {
            codes
                .entry(code)
                .or_insert_with(|| file.display().to_string());
        }
    }
    assert!(
        codes.len() > 100,
        "the scan found the codes: {}",
        codes.len()
    );
    let missing: Vec<_> = codes
        .iter()
        .filter(|(code, _)| {
            let key = format!("error.{code}");
            Lang::ALL.iter().any(|l| l.get(&key).is_none())
        })
        .map(|(code, file)| format!("error.{code} ({file})"))
        .collect();
    assert!(missing.is_empty(), "codes without words: {missing:#?}");
}

#[test]
fn the_scanner_reads_calls_fields_and_code_functions() {
    let source = r#"
        InvalidValue::new("too_long", format!("at most {}, got {}", 3, 4));
        FieldError::new("contract.end_date", "end_before_start", "...");
        FieldError::new(section, "required", "...");
        ApiError::invalid(field, code, "not a literal");
        Missing { code: "permit_not_found", message: "x" };
        Some(("440100", "广州市"));
        fn code(&self) -> &'static str {
            match self { A => "wrong_status", B => "comment_required" }
    }
"#;
    assert_eq!(
        codes_in(source),
        [
            "too_long",
            "end_before_start",
            "required",
            "permit_not_found",
            "wrong_status",
            "comment_required"
        ]
    );
}
