//! `POST /api/v1/verifications` with a purpose (VERIFICATION.md): the caller
//! states why it checks, shows the holder one way the purpose accepts (a QR,
//! a permit number and name, or a share code), and learns exactly the
//! purpose's fields. Every check writes one row of the verification log, and
//! a live presentation or a share code is taken inside that same write, so a
//! replay is logged as a refusal and never as a second acceptance.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use zhengka_credential::{Purpose, Rejection, Verified};
use zhengka_domain::employer::Role;
use zhengka_domain::ids::PassportName;
use zhengka_domain::permits::application::BoundedText;
use zhengka_domain::permits::permit::{Permit, PermitNumber, PermitStatus};
use zhengka_domain::verification::disclosure::{Disclosed, Facts, disclose};
use zhengka_domain::verification::{
    Organisation, Presented, VerificationPurpose, Verifier, accepted, may_state, share_code,
};
use zhengka_store::{Nonce, Once, StoreError, VerificationEntry, Write};

use super::share_codes::code_hash;
use crate::AppState;
use crate::api::credentials::{facts_of, presentation_expiry, relying_party, verify_qr_either};
use crate::api::social_security::account_and_card;
use crate::api::{Reply, audit, reply};
use crate::auth::Caller;
use crate::http::ApiError;

/// A check with a purpose: exactly one of `qr`, `permit_number` + `name`,
/// `share_code`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    pub purpose: String,
    #[serde(default)]
    pub qr: Option<String>,
    #[serde(default)]
    pub permit_number: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub share_code: Option<String>,
    /// Why the check is made (recorded in the audit trail).
    #[serde(default)]
    pub reason: Option<BoundedText<1, 200>>,
}

/// The answer: the log row's id (to record a service use against), the
/// verdict and the purpose's fields.
#[derive(Serialize)]
pub struct CheckAnswer {
    pub verification_id: String,
    pub valid: bool,
    pub purpose: VerificationPurpose,
    pub credential_kind: Presented,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Disclosed>,
}

/// Who is checking, as the log names them.
pub struct Checker {
    pub organisation: Option<Organisation>,
    /// The user, or `credential:<id>` for an API credential.
    pub verifier: String,
    pub police: bool,
}

impl Checker {
    fn may(&self, purpose: VerificationPurpose) -> bool {
        let verifier = match (&self.organisation, self.police) {
            (_, true) => Verifier::Police,
            (Some(o), false) => Verifier::Organisation(&o.purposes),
            (None, false) => Verifier::Other,
        };
        may_state(verifier, purpose)
    }

    /// The log row of a check made now.
    pub fn log_entry(
        &self,
        purpose: &str,
        kind: &str,
        permit_number: Option<String>,
        refusal: Option<&str>,
        at: DateTime<Utc>,
    ) -> VerificationEntry {
        VerificationEntry {
            id: uuid::Uuid::new_v4().to_string(),
            at,
            permit_number,
            organisation_id: self.organisation.as_ref().map(|o| o.id.clone()),
            organisation_name: self.organisation_name(),
            verifier: self.verifier.clone(),
            purpose: purpose.to_owned(),
            credential_kind: kind.to_owned(),
            result: if refusal.is_none() {
                "valid"
            } else {
                "rejected"
            }
            .to_owned(),
            reason: refusal.map(str::to_owned),
            offline: false,
        }
    }

    /// The organisation's name, or the police (the pages translate `police`).
    fn organisation_name(&self) -> String {
        match &self.organisation {
            Some(o) => o.name.clone(),
            None if self.police => "police".into(),
            None => "staff".into(),
        }
    }
}

/// The organisation a relying party's person or credential verifies for.
pub async fn checker(app: &AppState, caller: &Caller) -> Result<Checker, ApiError> {
    let org_id = match caller.organisation_id() {
        Some(id) => Some(id.to_owned()),
        None if caller.user.role == Role::RelyingParty => {
            match app.store.organisation_of_member(&caller.user.id).await {
                Ok(id) => Some(id),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        }
        None => None,
    };
    let organisation = match org_id {
        Some(id) => Some(app.store.get_organisation(&id).await?),
        None => None,
    };
    let verifier = match caller.organisation_id() {
        Some(_) => caller
            .user
            .id
            .replace(crate::auth::api_credential::USER_PREFIX, "credential:"),
        None => caller.user.id.clone(),
    };
    Ok(Checker {
        organisation,
        verifier,
        police: caller.user.role == Role::PoliceOfficer,
    })
}

/// How the holder was shown, and its value.
enum Shown<'a> {
    Qr(&'a str),
    Lookup(&'a str, &'a str),
    Share(&'a str),
}

fn shown(req: &CheckRequest) -> Result<Shown<'_>, ApiError> {
    let qr = req.qr.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let number = req
        .permit_number
        .as_deref()
        .filter(|s| !s.trim().is_empty());
    let share = req.share_code.as_deref().filter(|s| !s.trim().is_empty());
    let given =
        usize::from(qr.is_some()) + usize::from(number.is_some()) + usize::from(share.is_some());
    if given != 1 {
        return Err(ApiError::invalid_no_field(
            "one_identifier_required",
            "give exactly one of qr, permit_number (with name) or share_code",
        ));
    }
    if let Some(q) = qr {
        if q.len() > 8192 {
            return Err(ApiError::invalid(
                "qr",
                "too_long",
                "a QR payload is at most 8192 characters",
            ));
        }
        return Ok(Shown::Qr(q));
    }
    if let Some(n) = number {
        let name = req.name.as_deref().filter(|s| !s.trim().is_empty());
        let name = name.ok_or_else(|| {
            ApiError::invalid(
                "name",
                "required",
                "a lookup names the holder as on the permit",
            )
        })?;
        return Ok(Shown::Lookup(n, name));
    }
    Ok(Shown::Share(share.unwrap_or_default()))
}

fn field_of(shown: &Shown<'_>) -> &'static str {
    match shown {
        Shown::Qr(_) => "qr",
        Shown::Lookup(..) => "permit_number",
        Shown::Share(_) => "share_code",
    }
}

/// What the check found before it is logged.
struct Finding {
    kind: Presented,
    permit: Option<Permit>,
    /// Why it is not valid (a credential rejection, `permit_cancelled` ...).
    refusal: Option<String>,
    /// Whether the holder was authentically identified (then the police see
    /// the facts even of a permit that is no longer valid).
    identified: bool,
    once: Option<OnceToken>,
}

enum OnceToken {
    Nonce { iat: i64, nonce: Vec<u8> },
    ShareCode(String),
}

/// The purpose-bound check.
pub async fn check(
    app: &AppState,
    caller: &Caller,
    req: CheckRequest,
) -> Result<(CheckAnswer, Reply), ApiError> {
    let purpose = VerificationPurpose::parse(&req.purpose)
        .map_err(|e| ApiError::invalid("purpose", e.code, e.message))?;
    let who = checker(app, caller).await?;
    if !who.may(purpose) {
        return Err(ApiError::NotAllowed {
            code: "purpose_not_allowed",
            message: "your organisation is not registered for this purpose",
            field: Some("purpose"),
        });
    }
    let shown = shown(&req)?;
    let now = Utc::now();
    let finding = find(app, purpose, &shown, now).await?;
    if !accepted(purpose).contains(&finding.kind) {
        return Err(ApiError::invalid(
            field_of(&shown),
            "credential_kind_not_allowed",
            format!(
                "{} cannot be checked for {}",
                finding.kind.as_str(),
                purpose.as_str()
            ),
        ));
    }
    let reason = req.reason.as_ref().map(|r| r.as_str().to_owned());
    record(app, caller, &who, purpose, finding, reason, now).await
}

async fn find(
    app: &AppState,
    purpose: VerificationPurpose,
    shown: &Shown<'_>,
    now: DateTime<Utc>,
) -> Result<Finding, ApiError> {
    match shown {
        Shown::Qr(qr) => find_qr(app, qr, now).await,
        Shown::Lookup(number, name) => find_lookup(app, number, name).await,
        Shown::Share(code) => find_share(app, purpose, code, now).await,
    }
}

async fn permit_of(app: &AppState, number: &str) -> Result<Option<Permit>, ApiError> {
    let Ok(number) = PermitNumber::parse(number) else {
        return Ok(None);
    };
    match app.store.get_permit(&number).await {
        Ok(p) => Ok(Some(p)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A QR: a live presentation if it is one, else a Notice.
async fn find_qr(app: &AppState, qr: &str, now: DateTime<Utc>) -> Result<Finding, ApiError> {
    let (checked_as, outcome) = verify_qr_either(app, qr, now.timestamp()).await?;
    let kind = match checked_as {
        Purpose::Presentation => Presented::Presentation,
        _ => Presented::Notice,
    };
    // A card credential shown bare is neither: only its presentation is live.
    if matches!(outcome, Err(Rejection::WrongKindForPurpose)) {
        return Err(ApiError::invalid(
            "qr",
            "credential_kind_not_allowed",
            "show a live e-card presentation or a Work Permit Notice",
        ));
    }
    let verified: Verified = match outcome {
        Ok(v) => v,
        Err(r) => return Ok(refused(kind, None, r.code())),
    };
    let number = facts_of(&verified.claims).map(|f| f.permit_number.clone());
    let permit = match number {
        Some(n) => permit_of(app, &n).await?,
        None => None,
    };
    let once = verified
        .presented
        .map(|(iat, nonce)| OnceToken::Nonce { iat, nonce });
    Ok(live(kind, permit, once))
}

async fn find_lookup(app: &AppState, number: &str, name: &str) -> Result<Finding, ApiError> {
    let number = PermitNumber::parse(number)
        .map_err(|e| ApiError::invalid("permit_number", e.code, e.message))?;
    let name =
        PassportName::parse(name).map_err(|e| ApiError::invalid("name", e.code, e.message))?;
    let kind = Presented::Lookup;
    match permit_of(app, number.as_str()).await? {
        None => Ok(refused(kind, None, "permit_not_found")),
        Some(p) if p.holder_name != name => Ok(refused(kind, None, "name_mismatch")),
        Some(p) => Ok(live(kind, Some(p), None)),
    }
}

async fn find_share(
    app: &AppState,
    purpose: VerificationPurpose,
    typed: &str,
    now: DateTime<Utc>,
) -> Result<Finding, ApiError> {
    let code = share_code::parse(typed).ok_or_else(|| {
        ApiError::invalid(
            "share_code",
            "invalid_share_code",
            "a share code is ten letters and digits, XXXXX-XXXXX",
        )
    })?;
    let kind = Presented::ShareCode;
    let hash = code_hash(&code);
    let shared = match app.store.share_code(&hash).await {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Ok(refused(kind, None, "share_code_unknown")),
        Err(e) => return Err(e.into()),
    };
    let refusal = if shared.used_at.is_some() {
        Some("share_code_used")
    } else if shared.expires_at <= now {
        Some("share_code_expired")
    } else if shared.purpose != purpose {
        Some("share_code_other_purpose")
    } else {
        None
    };
    let permit = permit_of(app, &shared.permit_number).await?;
    // The holder sees a try with their spent or stale code.
    if let Some(r) = refusal {
        return Ok(refused(kind, permit, r));
    }
    Ok(live(kind, permit, Some(OnceToken::ShareCode(hash))))
}

fn refused(kind: Presented, permit: Option<Permit>, reason: &str) -> Finding {
    Finding {
        kind,
        permit,
        refusal: Some(reason.to_owned()),
        identified: false,
        once: None,
    }
}

/// An authentic credential (or lookup): valid while its permit is.
fn live(kind: Presented, permit: Option<Permit>, once: Option<OnceToken>) -> Finding {
    let refusal = match &permit {
        None => Some("permit_not_found".to_owned()),
        Some(p) if p.status == PermitStatus::Valid => None,
        Some(p) => Some(format!("permit_{}", p.status.as_str())),
    };
    Finding {
        kind,
        permit,
        refusal,
        identified: true,
        once,
    }
}

/// The purpose's fields: of a valid check, and for the police also of an
/// identified holder whose permit is no longer valid.
async fn fields(
    app: &AppState,
    purpose: VerificationPurpose,
    f: &Finding,
) -> Result<Option<Disclosed>, ApiError> {
    let show = f.refusal.is_none() || (f.identified && purpose.police_only());
    let Some(permit) = f.permit.as_ref().filter(|_| show) else {
        return Ok(None);
    };
    // At once: the employer, and the account then its card.
    let (employer, (account, card)) = tokio::try_join!(
        async { Ok::<_, ApiError>(app.store.get_employer(&permit.employer_id).await?) },
        account_and_card(app, &permit.permit_number),
    )?;
    let facts = Facts {
        permit,
        employer_name: employer.name.as_str(),
        employer_uscc: employer.uscc.as_str(),
        account: account.as_ref(),
        card: card.as_ref(),
    };
    Ok(Some(disclose(purpose, &facts)))
}

async fn record(
    app: &AppState,
    caller: &Caller,
    who: &Checker,
    purpose: VerificationPurpose,
    finding: Finding,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<(CheckAnswer, Reply), ApiError> {
    let disclosed = fields(app, purpose, &finding).await?;
    let holder = finding
        .permit
        .as_ref()
        .map(|p| p.permit_number.as_str().to_owned());
    let entry = |id: String, refusal: Option<&str>| VerificationEntry {
        id,
        ..who.log_entry(
            purpose.as_str(),
            finding.kind.as_str(),
            holder.clone(),
            refusal,
            now,
        )
    };
    let answer = |id: &str, refusal: Option<&str>, fields: Option<Disclosed>| CheckAnswer {
        verification_id: id.to_owned(),
        valid: refusal.is_none(),
        purpose,
        credential_kind: finding.kind,
        reason: refusal.map(str::to_owned),
        fields,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let refusal = finding.refusal.as_deref();
    let body = answer(&id, refusal, disclosed.clone());
    let reply_ = reply(StatusCode::OK, &body)?;
    let write = audit_of(caller, &body, &holder, &reason, &reply_);
    let seen_by = relying_party(caller);
    let once = match (&finding.once, refusal) {
        (Some(OnceToken::Nonce { iat, nonce }), None) => Some(Once::Nonce(Nonce {
            verifier: &seen_by,
            nonce,
            expires_at: presentation_expiry(*iat, now.timestamp()),
        })),
        (Some(OnceToken::ShareCode(hash)), None) => Some(Once::ShareCode {
            code_hash: hash,
            used_by: &seen_by,
        }),
        _ => None,
    };
    let replay_reason = match &once {
        Some(Once::ShareCode { .. }) => "share_code_used",
        _ => Rejection::ReplayedOrStalePresentation.code(),
    };
    if app
        .store
        .log_verification(&entry(id.clone(), refusal), once, write)
        .await?
    {
        return Ok((body, reply_));
    }
    // Taken already: the same presentation or code a second time.
    let id = uuid::Uuid::new_v4().to_string();
    let body = answer(&id, Some(replay_reason), None);
    let reply_ = reply(StatusCode::OK, &body)?;
    let write = audit_of(caller, &body, &holder, &reason, &reply_);
    app.store
        .log_verification(&entry(id, Some(replay_reason)), None, write)
        .await?;
    Ok((body, reply_))
}

/// The audit event of a check: never the fields it disclosed. No idempotency
/// record: a check is not replayed from storage (a replay must be refused,
/// and the answer may hold an SSN).
fn audit_of(
    caller: &Caller,
    body: &CheckAnswer,
    holder: &Option<String>,
    reason: &Option<String>,
    reply_: &Reply,
) -> Write {
    let details = json!({
        "verification_id": body.verification_id,
        "purpose": body.purpose.as_str(),
        "credential_kind": body.credential_kind.as_str(),
        "valid": body.valid,
        "rejection": body.reason,
        "reason": reason,
    });
    let entity = holder.clone().unwrap_or_else(|| "unknown".into());
    audit(
        caller,
        None,
        "credential.verified",
        ("permit", &entity),
        details,
        reply_,
    )
}
