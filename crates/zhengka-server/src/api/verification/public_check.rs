//! `POST /api/v1/public-checks {qr}` and the page `/web/check`: anyone (a visa
//! officer, an employer abroad) checks a Work Permit Notice QR and learns only
//! whether it is valid and the permit number's last four characters, never a
//! name or a date. Limited per client address with the database counter; each
//! check is logged for the holder as `public` / `public_check`.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_credential::Purpose;
use zhengka_domain::permits::permit::{PermitNumber, PermitStatus};
use zhengka_store::{Audit, StoreError, VerificationEntry, Write};

use crate::AppState;
use crate::api::credentials::{facts_of, verify_qr};
use crate::api::{Reply, reply};
use crate::auth::rate_limit::{self, Limit};
use crate::auth::token;
use crate::http::client::ClientAddress;
use crate::http::{ApiError, JsonBody};

/// 30 checks per client address per 10 minutes.
pub const PUBLIC_CHECKS: Limit = Limit {
    max: 30,
    window_secs: 10 * 60,
};

/// The log's names for a public check.
pub const ORGANISATION: &str = "public";
pub const PURPOSE: &str = "public_check";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicCheckRequest {
    pub qr: String,
}

/// All a public check tells.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct PublicAnswer {
    pub valid: bool,
    /// Of an authentic Notice only (a forged one names no permit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_number_last4: Option<String>,
}

fn source_key(client: &ClientAddress) -> String {
    format!("public-check:{}", token::hash(&client.0))
}

/// The last four characters of a permit number.
pub fn last4(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// The check, shared by the API and the page.
pub async fn check(
    app: &AppState,
    client: &ClientAddress,
    qr: &str,
) -> Result<PublicAnswer, ApiError> {
    let qr = qr.trim();
    if qr.is_empty() {
        return Err(ApiError::invalid("qr", "required", "paste or scan a QR"));
    }
    if qr.len() > 8192 {
        return Err(ApiError::invalid(
            "qr",
            "too_long",
            "a QR payload is at most 8192 characters",
        ));
    }
    let now = Utc::now();
    rate_limit::attempt(app.store.as_ref(), &source_key(client), PUBLIC_CHECKS, now).await?;
    let (number, refusal) = match verify_qr(app, qr, now.timestamp(), Purpose::Notice).await? {
        Err(r) => (None, Some(r.code().to_owned())),
        Ok(v) => {
            let number = facts_of(&v.claims).map(|f| f.permit_number.clone());
            let refusal = match &number {
                Some(n) => permit_refusal(app, n).await?,
                None => Some("permit_not_found".to_owned()),
            };
            (number, refusal)
        }
    };
    let entry = entry(number.clone(), refusal.as_deref(), now);
    let write = audit_of(&entry);
    app.store.log_verification(&entry, None, write).await?;
    Ok(PublicAnswer {
        valid: refusal.is_none(),
        permit_number_last4: number.as_deref().map(last4),
    })
}

/// A Notice verifies while its permit is valid in the register too.
async fn permit_refusal(app: &AppState, number: &str) -> Result<Option<String>, ApiError> {
    let Ok(n) = PermitNumber::parse(number) else {
        return Ok(Some("permit_not_found".into()));
    };
    match app.store.get_permit(&n).await {
        Ok(p) if p.status == PermitStatus::Valid => Ok(None),
        Ok(p) => Ok(Some(format!("permit_{}", p.status.as_str()))),
        Err(StoreError::NotFound) => Ok(Some("permit_not_found".into())),
        Err(e) => Err(e.into()),
    }
}

fn entry(number: Option<String>, refusal: Option<&str>, at: DateTime<Utc>) -> VerificationEntry {
    VerificationEntry {
        id: uuid::Uuid::new_v4().to_string(),
        at,
        permit_number: number,
        organisation_id: None,
        organisation_name: ORGANISATION.into(),
        verifier: ORGANISATION.into(),
        purpose: PURPOSE.into(),
        credential_kind: "notice".into(),
        result: if refusal.is_none() {
            "valid"
        } else {
            "rejected"
        }
        .into(),
        reason: refusal.map(str::to_owned),
        offline: false,
    }
}

/// The audit event: never the QR nor the client's address.
fn audit_of(e: &VerificationEntry) -> Write {
    Write::new(Audit {
        at: e.at,
        actor: ORGANISATION.into(),
        action: "credential.public_check",
        entity_type: "permit",
        entity_id: e.permit_number.clone().unwrap_or_else(|| "unknown".into()),
        details: json!({ "verification_id": e.id, "valid": e.reason.is_none(), "rejection": e.reason }),
    })
}

/// `POST /api/v1/public-checks` (public).
pub async fn create(
    State(app): State<AppState>,
    client: ClientAddress,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    let req: PublicCheckRequest = body.parse()?;
    let answer = check(&app, &client, &req.qr).await?;
    reply(StatusCode::OK, &answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_four_characters() {
        assert_eq!(last4("ZK-2026-000123"), "0123");
        assert_eq!(last4("AB"), "AB");
    }
}
