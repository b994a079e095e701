//! Every mistake of a form in one submit. The API's parser stops at the
//! first bad value; a page goes on: the bad value is set aside (replaced by
//! a well-formed sample value, or dropped when it is optional) and the form
//! parsed again, until it parses. The sample only ever stands in for values
//! already reported, so nothing built from it is kept.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::http::{ApiError, parse_json};

/// No form has more fields than this; a bound so a parser that keeps
/// failing at new places cannot loop for long.
const MAX_ROUNDS: usize = 64;

/// `json` parsed as `T`, or every field-level error found in it.
pub fn parse_all<T: DeserializeOwned>(json: &Value, sample: &Value) -> Result<T, Vec<ApiError>> {
    let mut json = json.clone();
    let mut errors: Vec<ApiError> = vec![];
    let mut seen: Vec<String> = vec![];
    for _ in 0..MAX_ROUNDS {
        let e = match parse_json::<T>(json.to_string().as_bytes()) {
            Ok(value) if errors.is_empty() => return Ok(value),
            Ok(_) => return Err(errors),
            Err(e) => e,
        };
        let field = match &e {
            ApiError::Invalid { field: Some(f), .. } if !seen.contains(f) => f.clone(),
            _ => {
                errors.push(e);
                return Err(errors);
            }
        };
        set_aside(&mut json, sample, &field);
        seen.push(field);
        errors.push(e);
    }
    Err(errors)
}

/// Replace the value at the dotted `path` by the sample's, or remove it.
fn set_aside(json: &mut Value, sample: &Value, path: &str) {
    let stand_in = path
        .split('.')
        .try_fold(sample, |node, part| node.get(part))
        .cloned();
    let (parent_path, leaf) = path.rsplit_once('.').unwrap_or(("", path));
    let mut node = json;
    for part in parent_path.split('.').filter(|p| !p.is_empty()) {
        if !node[part].is_object() {
            node[part] = json!({});
        }
        node = &mut node[part];
    }
    let Some(object) = node.as_object_mut() else {
        return;
    };
    match stand_in {
        Some(v) => drop(object.insert(leaf.to_owned(), v)),
        None => drop(object.remove(leaf)),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed")]
    struct Form {
        name: zhengka_domain::ids::PassportName,
        inner: Inner,
        note: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only parsed")]
    struct Inner {
        when: chrono::NaiveDate,
        region: zhengka_domain::ids::RegionCode,
    }

    fn codes(r: Result<Form, Vec<ApiError>>) -> Vec<(String, String)> {
        let mut found: Vec<_> = r
            .unwrap_err()
            .into_iter()
            .map(|e| match e {
                ApiError::Invalid { code, field, .. } => (field.unwrap_or_default(), code),
                other => panic!("{other}"),
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn three_mistakes_are_three_errors() {
        let sample =
            json!({ "name": "A B", "inner": { "when": "2030-01-01", "region": "440106" } });
        let posted =
            json!({ "name": "ä1", "inner": { "when": "2026-02-30" }, "note": "x", "extra": 1 });
        assert_eq!(
            codes(parse_all(&posted, &sample)),
            [
                ("extra", "unknown_field"),
                ("inner.region", "required"),
                ("inner.when", "invalid_value"),
                ("name", "invalid_passport_name"),
                ("note", "invalid_type"),
            ]
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
        );
    }

    #[test]
    fn a_good_form_parses() {
        let sample = json!({});
        let posted =
            json!({ "name": "A B", "inner": { "when": "2030-01-01", "region": "440106" } });
        assert!(parse_all::<Form>(&posted, &sample).is_ok());
    }
}
