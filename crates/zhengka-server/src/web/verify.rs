//! The verifier's page (police, relying parties, officers): scan a QR with
//! the camera or paste it, and see the verdict with the fields the role may
//! see. The check is the API's own (`credentials::check`), audit event included.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde_json::json;
use zhengka_domain::employer::Role;

use super::form::Problems;
use super::i18n::Lang;
use super::render::PageError;
use super::verifier;
use super::visitor::{Fields, Posted, Visitor};
use crate::AppState;
use crate::api::credentials::{VERIFIERS, VerificationRequest, check};
use crate::http::{ApiError, parse_json};

/// Why a check is made, as recorded in the audit trail (`reason`).
pub const REASONS: [&str; 7] = [
    "identity_check",
    "workplace_inspection",
    "residence_registration",
    "case_investigation",
    "entry_exit",
    "service_access",
    "other",
];

/// The permit fields a verdict may carry, in the order they are shown.
pub const FIELDS: [&str; 10] = [
    "holder_name",
    "permit_number",
    "nationality",
    "date_of_birth",
    "class",
    "position",
    "employer_name",
    "employer_uscc",
    "valid_from",
    "valid_to",
];

#[derive(serde::Deserialize)]
pub struct FormQuery {
    #[serde(default)]
    purpose: String,
}

/// `GET /web/verify[?purpose=]`: purpose-bound for the police and an
/// organisation's people (`verifier`), notice/presentation for other staff.
pub async fn form(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<FormQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(VERIFIERS)?;
    if let Some(purposes) = verifier::purposes_of(&app, caller).await? {
        return verifier::form(&v, &purposes, &q.purpose);
    }
    let values = context! { purpose => "notice" };
    page(&v, values, None, &Problems::default(), StatusCode::OK)
}

/// `POST /web/verify`: qr, purpose, reason (required of the police), note.
pub async fn verify(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(VERIFIERS)?;
    if let Some(purposes) = verifier::purposes_of(&app, caller).await? {
        return verifier::verify(&app, &p, &purposes).await;
    }
    let reason = p.fields.get("reason").trim();
    let note = p.fields.get("note").trim();
    let police = caller.user.role == Role::PoliceOfficer;
    let result = if p.fields.get("qr").trim().is_empty() {
        Err(ApiError::invalid("qr", "required", "paste or scan a QR"))
    } else {
        reason_of(&p.fields, police)
    };
    let result = match result {
        Err(e) => Err(e),
        Ok(reason) => {
            let body = json!({
                "qr": p.fields.get("qr").trim(),
                "purpose": p.fields.get("purpose"),
                "reason": reason,
            });
            match parse_json::<VerificationRequest>(body.to_string().as_bytes()) {
                Ok(req) => check(&app, caller, None, req)
                    .await
                    .map(|(verdict, _)| verdict),
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(verdict) => {
            // The form is ready for the next code; purpose and reason stay.
            let shown = shown_verdict(p.visitor.lang, &verdict);
            let kept =
                context! { purpose => p.fields.get("purpose"), reason => reason, note => note };
            page(
                &p.visitor,
                kept,
                Some(shown),
                &Problems::default(),
                StatusCode::OK,
            )
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(&p.visitor, p.fields.shown(), None, &problems, status)
        }
    }
}

/// The recorded reason: `reason` (a listed one, required of the police) and
/// the note after it.
pub fn reason_of(f: &Fields, police: bool) -> Result<Option<String>, ApiError> {
    let reason = f.get("reason").trim();
    let note = f.get("note").trim();
    if reason.is_empty() && police {
        return Err(ApiError::invalid(
            "reason",
            "required",
            "say why the check is made",
        ));
    }
    if !reason.is_empty() && !REASONS.contains(&reason) {
        return Err(ApiError::invalid(
            "reason",
            "unknown_value",
            "not a listed reason",
        ));
    }
    Ok(match (reason, note) {
        ("", _) => None,
        (r, "") => Some(r.to_owned()),
        (r, n) => Some(format!("{r}: {}", n.chars().take(150).collect::<String>())),
    })
}

fn page(
    v: &Visitor,
    values: Value,
    verdict: Option<Value>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let police = v
        .caller
        .as_ref()
        .is_some_and(|c| c.user.role == Role::PoliceOfficer);
    let reasons: Vec<Value> = REASONS
        .iter()
        .map(|r| context! { code => r, text => v.text(&format!("reason.{r}")) })
        .collect();
    let ctx = context! {
        section => "verify",
        verdict => verdict,
        reasons => reasons,
        reason_required => police,
        f => context! { values => values, ..problems.shown() },
        ..problems.shown()
    };
    Ok((status, v.page("verify.html", ctx)?).into_response())
}

/// The API's verdict in the visitor's language: a headline, the reason of a
/// refusal, and the permit fields the role may see.
fn shown_verdict(lang: Lang, verdict: &serde_json::Value) -> Value {
    let valid = verdict["valid"].as_bool().unwrap_or(false);
    let code = verdict["reason"].as_str().unwrap_or_default();
    let reason = lang
        .get(&format!("rejection.{code}"))
        .unwrap_or_else(|| lang.get("rejection.other").unwrap_or(code));
    let kind = verdict["kind"].as_str().unwrap_or_default();
    let permit = &verdict["permit"];
    let fields: Vec<Value> = FIELDS
        .iter()
        .filter_map(|k| {
            let value = permit.get(k)?.as_str()?;
            let label = lang.get(&format!("verify.field.{k}")).unwrap_or(k);
            Some(context! { key => k, label => label, value => value })
        })
        .collect();
    context! {
        valid => valid,
        code => if valid { "valid" } else { code },
        reason => (!valid).then_some(reason),
        kind => lang.get(&format!("verify.kind.{kind}")),
        fields => fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REJECTIONS: [&str; 14] = [
        "malformed",
        "unknown_key",
        "bad_signature",
        "algorithm_mismatch",
        "expired",
        "not_yet_valid",
        "revoked",
        "suspended",
        "stale_status",
        "status_list_mismatch",
        "wrong_kind_for_purpose",
        "replayed_or_stale_presentation",
        "key_not_valid_for_purpose",
        "key_expired",
    ];

    #[test]
    fn every_key_the_verdict_builds_exists() {
        let keys = REJECTIONS
            .iter()
            .chain(&["other"])
            .map(|c| format!("rejection.{c}"))
            .chain(FIELDS.iter().map(|f| format!("verify.field.{f}")))
            .chain(REASONS.iter().map(|r| format!("reason.{r}")))
            .chain(["notice", "card", "presentation"].map(|k| format!("verify.kind.{k}")));
        for key in keys {
            for lang in Lang::ALL {
                assert!(lang.get(&key).is_some(), "{}: {key}", lang.tag());
            }
        }
    }

    #[test]
    fn a_refusal_is_shown_with_its_reason_and_no_fields() {
        let v = shown_verdict(Lang::En, &json!({ "valid": false, "reason": "revoked" }));
        assert_eq!(v.get_attr("code").unwrap().as_str(), Some("revoked"));
        let fields = v.get_attr("fields").unwrap();
        assert_eq!(fields.len(), Some(0));
        let v = shown_verdict(
            Lang::En,
            &json!({ "valid": true, "kind": "notice",
                     "permit": { "holder_name": "ANNA", "class": "B", "valid_to": "2028-01-01" } }),
        );
        assert_eq!(v.get_attr("code").unwrap().as_str(), Some("valid"));
        assert_eq!(v.get_attr("fields").unwrap().len(), Some(3));
    }
}
