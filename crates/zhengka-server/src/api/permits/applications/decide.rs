use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::duties;
use zhengka_domain::permits::application::workflow::{self, HistoryAction, HistoryEntry};
use zhengka_domain::permits::application::{
    Application, ApplicationStatus, BoundedText, Notice, Outcome, ReviewStep,
};
use zhengka_domain::permits::permit::eligibility::{
    Approval, apply_to_existing, check_existing_permit, new_permit,
};
use zhengka_domain::permits::permit::{Permit, PermitNumber};

use super::{existing_permit, load_visible};
use crate::AppState;
use crate::api::{Reply, audit, reply};
use crate::auth::{Caller, token};
use crate::credentials::{drawing_again, issue_notice, new_status_index};
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, JsonBody};
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub step: ReviewStep,
    pub outcome: Outcome,
    #[serde(default)]
    pub comment: Option<BoundedText<1, 2000>>,
}

/// `POST /api/v1/applications/{id}/decisions`: an officer of the application's
/// region decides one review step. Approval writes the permit in the same
/// transaction.
pub async fn decide(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::PermitOfficer])?;
    let decision: Decision = body.parse()?;
    Ok(record(&app, &caller, key.as_deref(), &id, decision)
        .await?
        .1)
}

/// Record an officer's decision on one review step. Shared by the API and the
/// pages.
pub async fn record(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    decision: Decision,
) -> Result<(Application, Reply), ApiError> {
    caller.require(&[Role::PermitOfficer])?;
    drawing_again(|| record_once(app, caller, key, id, &decision)).await
}

async fn record_once(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    decision: &Decision,
) -> Result<(Application, Reply), ApiError> {
    let mut application = load_visible(app, caller, id).await?;
    let from = application.status;
    let comment = decision.comment.as_ref().map(|c| c.as_str().to_owned());
    let to = workflow::decide(from, decision.step, decision.outcome, comment.as_deref()).map_err(
        |e| match e {
            workflow::TransitionError::CommentRequired(_) => {
                ApiError::invalid("comment", e.code(), e.to_string())
            }
            _ => ApiError::conflict(e.code(), e.to_string()),
        },
    )?;
    if app.config.policy.separation_of_duties {
        duties::check(
            &application.history,
            decision.step,
            decision.outcome,
            &caller.user.id,
        )
        .map_err(|e| ApiError::conflict(e.code(), e.to_string()))?;
    }
    let now = Utc::now();
    let permit = if to == ApplicationStatus::Approved {
        Some(permit_on_approval(app, &application, now).await?)
    } else {
        None
    };
    if let Some(p) = &permit {
        application.permit_number = Some(p.permit_number.clone());
        if application.form.kind.issues_notice() {
            application.notice = Some(notice_for(app, &application, p, now).await?);
        }
    }
    application.status = to;
    application.history.push(HistoryEntry {
        at: now,
        actor: caller.user.id.clone(),
        action: HistoryAction::Decided {
            step: decision.step,
            outcome: decision.outcome,
        },
        from: Some(from),
        to,
        comment,
    });
    application.version += 1;
    application.updated_at = now;
    let reply = reply(StatusCode::OK, &application)?;
    let details = json!({ "step": decision.step, "outcome": decision.outcome, "from": from.as_str(), "to": to.as_str() });
    let write = audit(
        caller,
        key,
        "application.decided",
        ("application", id),
        details,
        &reply,
    );
    let mut write = write;
    if let Some(p) = &permit {
        write.events = crate::events::permit_events(
            stored_status(app, p).await?,
            p,
            Some(application.form.kind),
            now,
        );
    }
    app.store
        .update_application(&application, permit.as_ref(), write)
        .await?;
    if permit.is_some() {
        app.credentials.invalidate_status_list();
    }
    Ok((application, reply))
}

/// The status the permit record had before this approval (none for a new one).
async fn stored_status(
    app: &AppState,
    p: &Permit,
) -> Result<Option<zhengka_domain::permits::permit::PermitStatus>, ApiError> {
    match app.store.get_permit(&p.permit_number).await {
        Ok(old) => Ok(Some(old.status)),
        Err(zhengka_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The Work Permit Notice for an approved application from abroad, or the one
/// that replaces it after an extension or change.
async fn notice_for(
    app: &AppState,
    a: &Application,
    permit: &Permit,
    now: DateTime<Utc>,
) -> Result<Notice, ApiError> {
    let employer = app.store.get_employer(&a.employer_id).await?;
    let notice_id = format!(
        "N{}{:08}",
        now.format("%Y%m%d"),
        token::random_u64() % 100_000_000
    );
    Ok(issue_notice(
        &app.credentials,
        permit,
        &employer,
        notice_id,
        now,
    ))
}

/// The permit record an approval creates or changes.
async fn permit_on_approval(
    app: &AppState,
    a: &Application,
    now: DateTime<Utc>,
) -> Result<Permit, ApiError> {
    let existing = existing_permit(app, &a.form, &a.employer_id).await?;
    let class = a
        .class()
        .or(existing.as_ref().map(|p| p.class))
        .ok_or_else(|| ApiError::conflict("not_classified", "the application has no class"))?;
    let approval = Approval {
        application_id: &a.id,
        employer_id: &a.employer_id,
        region_code: &a.region_code,
        class,
        policy: &app.config.policy,
        now,
    };
    match existing {
        Some(permit) => {
            check_existing_permit(&a.form, &permit, now.date_naive())?;
            let mut permit = apply_to_existing(&a.form, permit, &approval)?;
            // New facts, new credential period: the earlier index is no longer
            // the permit's current one, so the next status list marks every
            // credential of the old facts (the earlier Notice) revoked.
            if a.form.kind.changes_permit_facts() {
                permit.status_index = Some(new_status_index(app.store.as_ref()).await?);
            }
            Ok(permit)
        }
        None => {
            let (number, version) = holder_number(app, a).await?;
            let mut permit = new_permit(&a.form, number, &approval)?;
            // A returning holder's new period replaces their old record, with a
            // new status entry: credentials of the old period stay revoked.
            permit.version = version;
            permit.status_index = Some(new_status_index(app.store.as_ref()).await?);
            Ok(permit)
        }
    }
}

/// The permit number is the holder's for life: reuse it (with the stored
/// record's version, so two racing approvals cannot both revive it) if they
/// held a permit before, refuse if they hold an active one.
async fn holder_number(app: &AppState, a: &Application) -> Result<(PermitNumber, i64), ApiError> {
    let passport = a
        .form
        .foreigner
        .as_ref()
        .map(|f| f.passport_number.expose().to_owned())
        .ok_or_else(|| {
            ApiError::conflict("form_incomplete", "the application names no foreigner")
        })?;
    // This read is outside the write, so it only gives the sequential case its
    // answer early; the unique index on active permits refuses a racing second.
    let earlier = app.store.permits_of_passport(&passport).await?;
    if earlier.iter().any(|p| !p.status.is_terminal()) {
        return Err(ApiError::holder_has_active_permit());
    }
    if let Some(p) = earlier.into_iter().next() {
        return Ok((p.permit_number, p.version));
    }
    Ok((
        PermitNumber::assign(a.region_code.as_str(), token::random_u64()),
        0,
    ))
}
