//! Posted form fields to the API's JSON shape (so the same parser and rules
//! apply), and the API's errors back to the field they name.

use std::collections::BTreeMap;

use minijinja::Value as Shown;
use serde_json::{Value, json};

use super::render::PageError;
use super::visitor::{Fields, NOT_FIELDS, Visitor};
use crate::http::ApiError;

/// Fields posted as text that the API takes as numbers.
const NUMBERS: [&str; 3] = [
    "contract.annual_salary_cny",
    "scoring.related_experience_years",
    "scoring.months_per_year_in_china",
];

/// Checkboxes: present means `true`, absent means the API's default.
const FLAGS: [&str; 7] = [
    "scoring.designated_poor_county",
    "scoring.top_foreign_university",
    "scoring.fortune_global_500_experience",
    "scoring.patents",
    "scoring.five_consecutive_years_in_china",
    "scoring.recognised_talent",
    "short_term.no_criminal_record_pledge",
];

/// `foreigner.name=X` becomes `{"foreigner": {"name": "X"}}`. Empty fields are
/// left out, so an optional section stays absent and a required one is
/// reported as required, by the API's own parser.
pub fn to_json(fields: &Fields) -> Value {
    let mut root = json!({});
    for (name, raw) in &fields.0 {
        let raw = raw.trim();
        if NOT_FIELDS.contains(&name.as_str()) || raw.is_empty() {
            continue;
        }
        let value = if NUMBERS.contains(&name.as_str()) {
            raw.parse::<u64>().map_or_else(|_| json!(raw), |n| json!(n))
        } else if FLAGS.contains(&name.as_str()) {
            json!(true)
        } else {
            json!(raw)
        };
        insert(&mut root, name, value);
    }
    root
}

fn insert(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            node[part] = value;
            return;
        }
        if !node[part].is_object() {
            node[part] = json!({});
        }
        node = &mut node[part];
    }
}

/// The other way: a stored form as the dotted field values of the page.
pub fn flatten(value: &Value) -> BTreeMap<String, String> {
    fn walk(prefix: &str, v: &Value, out: &mut BTreeMap<String, String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&name, v, out);
                }
            }
            Value::String(s) => drop(out.insert(prefix.to_owned(), s.clone())),
            Value::Bool(false) | Value::Null | Value::Array(_) => {}
            other => drop(out.insert(prefix.to_owned(), other.to_string())),
        }
    }
    let mut out = BTreeMap::new();
    walk("", value, &mut out);
    out
}

/// What was wrong with a form, in the visitor's language.
#[derive(Default)]
pub struct Problems {
    /// Field name -> message, shown next to the field.
    pub fields: BTreeMap<String, String>,
    /// For the error summary: (anchor id, message).
    pub summary: Vec<(String, String)>,
}

impl Problems {
    /// A refusal the person can fix; anything else is an error page.
    pub fn from_api(v: &Visitor, e: ApiError) -> Result<Self, PageError> {
        let (code, message, field) = match e {
            ApiError::Invalid {
                code,
                message,
                field,
            } => (code, message, field),
            ApiError::Conflict {
                code,
                message,
                field,
            } => (code.to_owned(), message, field.map(str::to_owned)),
            other => return Err(other.into()),
        };
        let text = said(v, &code, message);
        let mut p = Problems::default();
        let anchor = field.as_deref().map_or("main".to_owned(), field_id);
        if let Some(f) = field {
            p.fields.insert(f, text.clone());
        }
        p.summary.push((anchor, text));
        Ok(p)
    }

    /// Several refusals at once, in the order of the form's fields (the
    /// parser reports them in its own order).
    pub fn from_all(
        v: &Visitor,
        errors: Vec<ApiError>,
        fields: &Fields,
    ) -> Result<Self, PageError> {
        let mut all = Problems::default();
        for e in errors {
            let one = Self::from_api(v, e)?;
            all.fields.extend(one.fields);
            all.summary.extend(one.summary);
        }
        let place = |id: &str| {
            let at = fields.0.iter().position(|(name, _)| field_id(name) == id);
            at.unwrap_or(usize::MAX)
        };
        all.summary.sort_by_key(|(id, _)| place(id));
        Ok(all)
    }

    /// The same problems for a form whose fields are named `{prefix}.{field}`
    /// (two forms on one page that share a field name).
    pub fn prefixed(self, prefix: &str) -> Self {
        let fields = self
            .fields
            .into_iter()
            .map(|(k, v)| (format!("{prefix}.{k}"), v))
            .collect();
        let summary = self
            .summary
            .into_iter()
            .map(|(id, text)| match id.strip_prefix("f-") {
                Some(rest) => (format!("f-{prefix}-{rest}"), text),
                None => (id, text),
            })
            .collect();
        Self { fields, summary }
    }

    pub fn shown(&self) -> Shown {
        let summary: Vec<_> = self
            .summary
            .iter()
            .map(|(id, text)| minijinja::context! { id => id, text => text })
            .collect();
        minijinja::context! { errors => self.fields.clone(), summary => summary }
    }
}

/// A refusal's words in the visitor's language: known codes are translated;
/// others show the rule's own words.
pub fn said(v: &Visitor, code: &str, message: String) -> String {
    v.lang
        .get(&format!("error.{code}"))
        .map_or(message, str::to_owned)
}

/// A "no such ..." refusal (`permit_not_found`) said at the form's `field`
/// that named the record, so the person can correct it there.
pub fn at_field(e: ApiError, field: &str) -> ApiError {
    match e {
        ApiError::Missing { code, message } => ApiError::invalid(field, code, message),
        other => other,
    }
}

/// The id of a field's input: `contract.end_date` -> `f-contract-end_date`.
pub fn field_id(name: &str) -> String {
    format!("f-{}", name.replace('.', "-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_fields_nest_and_round_trip() {
        let fields = Fields(vec![
            ("csrf".into(), "x".into()),
            ("kind".into(), "new_from_abroad".into()),
            ("foreigner.name".into(), " ANNA ".into()),
            ("foreigner.chinese_name".into(), "".into()),
            ("contract.annual_salary_cny".into(), "300000".into()),
            ("scoring.months_per_year_in_china".into(), "abc".into()),
            ("scoring.patents".into(), "on".into()),
        ]);
        let v = to_json(&fields);
        assert_eq!(
            v,
            json!({ "kind": "new_from_abroad", "foreigner": { "name": "ANNA" },
                    "contract": { "annual_salary_cny": 300000 },
                    "scoring": { "months_per_year_in_china": "abc", "patents": true } })
        );
        let flat = flatten(&v);
        assert_eq!(flat["contract.annual_salary_cny"], "300000");
        assert_eq!(flat["scoring.patents"], "true");
        assert_eq!(field_id("contract.end_date"), "f-contract-end_date");
    }
}
