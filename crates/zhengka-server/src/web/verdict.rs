//! A purpose-bound answer as people read it: valid or not, the refusal in
//! words, and the purpose's fields (only those the API sent) with labels and
//! values in the page's language.

use minijinja::{Value, context};

use super::i18n::Lang;
use super::readable::nationality_in;
use crate::api::verification::verify::CheckAnswer;

/// Every field a purpose may disclose, in the order the page shows them.
pub const FIELDS: [&str; 20] = [
    "holder_name",
    "photo_ref",
    "nationality",
    "sex",
    "date_of_birth",
    "passport_number",
    "permit_number",
    "permit_class",
    "position",
    "employer_name",
    "employer_uscc",
    "valid_from",
    "valid_to",
    "permit_status",
    "onsite_check",
    "ssn",
    "medical_insurance",
    "card_status",
    "card_number",
    "bank_account",
];

/// The refusals a purpose-bound check gives beyond the credential's own.
#[cfg(test)]
pub const REFUSALS: [&str; 10] = [
    "permit_not_found",
    "permit_cancelled",
    "permit_revoked",
    "permit_suspended",
    "permit_expired",
    "name_mismatch",
    "share_code_unknown",
    "share_code_used",
    "share_code_expired",
    "share_code_other_purpose",
];

/// The catalogue key that words a coded value, if the field has codes.
fn value_key(field: &str, value: &str) -> Option<String> {
    let prefix = match field {
        "sex" => "sex",
        "permit_status" => "permit_status",
        "onsite_check" => "onsite",
        "medical_insurance" => "verify.medical",
        "card_status" => "card_status",
        _ => return None,
    };
    Some(format!("{prefix}.{value}"))
}

fn value_in(lang: Lang, field: &str, value: &str) -> String {
    if field == "nationality" {
        return nationality_in(lang, value);
    }
    value_key(field, value)
        .and_then(|k| lang.get(&k))
        .map_or_else(|| value.to_owned(), str::to_owned)
}

/// A refusal's words (`rejection.*`), or the general one.
pub fn refusal_in(lang: Lang, code: &str) -> String {
    lang.get(&format!("rejection.{code}"))
        .or_else(|| lang.get("rejection.other"))
        .unwrap_or(code)
        .to_owned()
}

/// A purpose's name (`purpose_name.*`); unknown ones as they are.
pub fn purpose_in(lang: Lang, code: &str) -> String {
    lang.get(&format!("purpose_name.{code}"))
        .unwrap_or(code)
        .to_owned()
}

/// The answer for the page.
pub fn shown(lang: Lang, a: &CheckAnswer) -> Value {
    let sent = a
        .fields
        .as_ref()
        .and_then(|f| serde_json::to_value(f).ok())
        .unwrap_or_default();
    let fields: Vec<Value> = FIELDS
        .iter()
        .filter_map(|k| {
            let raw = sent.get(k)?;
            let raw = raw.as_str().map_or_else(|| raw.to_string(), str::to_owned);
            let label = lang.get(&format!("verify.field.{k}")).unwrap_or(k);
            Some(context! { key => k, label => label, value => value_in(lang, k, &raw) })
        })
        .collect();
    let code = a.reason.as_deref().unwrap_or("valid");
    context! {
        valid => a.valid,
        code => code,
        reason => a.reason.as_deref().map(|c| refusal_in(lang, c)),
        kind => lang.get(&format!("verify.kind.{}", a.credential_kind.as_str())),
        purpose => purpose_in(lang, a.purpose.as_str()),
        fields => fields,
        verification_id => a.verification_id.clone(),
    }
}

/// Every purpose code a page may name (the catalogue test checks the words).
#[cfg(test)]
pub fn purpose_codes() -> impl Iterator<Item = &'static str> {
    use zhengka_domain::verification::VerificationPurpose;
    VerificationPurpose::ALL
        .into_iter()
        .map(VerificationPurpose::as_str)
        .chain(["notice", "presentation", "public_check"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhengka_domain::verification::disclosure::Disclosed;
    use zhengka_domain::verification::{Presented, VerificationPurpose};

    #[test]
    fn every_key_the_page_builds_exists() {
        let keys = FIELDS
            .iter()
            .map(|f| format!("verify.field.{f}"))
            .chain(REFUSALS.iter().map(|r| format!("rejection.{r}")))
            .chain(purpose_codes().map(|p| format!("purpose_name.{p}")))
            .chain(["active", "none"].map(|m| format!("verify.medical.{m}")))
            .chain(["permit_number", "share_code"].map(|k| format!("verify.kind.{k}")));
        for key in keys {
            for lang in Lang::ALL {
                assert!(lang.get(&key).is_some(), "{}: {key}", lang.tag());
            }
        }
    }

    #[test]
    fn only_the_sent_fields_are_shown_in_words() {
        let a = CheckAnswer {
            verification_id: "v1".into(),
            valid: true,
            purpose: VerificationPurpose::Pharmacy,
            credential_kind: Presented::Presentation,
            reason: None,
            fields: Some(Disclosed {
                holder_name: Some("ANNA".into()),
                medical_insurance: Some("active"),
                ..Disclosed::default()
            }),
        };
        let v = shown(Lang::En, &a);
        let fields = v.get_attr("fields").unwrap();
        assert_eq!(fields.len(), Some(2));
        let second = fields.get_item(&Value::from(1)).unwrap();
        assert_eq!(
            second.get_attr("value").unwrap().as_str(),
            Lang::En.get("verify.medical.active")
        );
        let refused = CheckAnswer {
            valid: false,
            reason: Some("share_code_used".into()),
            fields: None,
            ..a
        };
        let v = shown(Lang::ZhCn, &refused);
        assert_eq!(v.get_attr("fields").unwrap().len(), Some(0));
        assert_eq!(
            v.get_attr("code").unwrap().as_str(),
            Some("share_code_used")
        );
    }
}
