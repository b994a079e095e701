//! `GET /api/v1/ecard/notices`: the Work Permit Notices of the holder's own
//! permit (its first approval, then each extension, change or reissue), and
//! `GET /api/v1/ecard/notices/{application_id}.pdf`: one of them as the PDF
//! the employer prints. Any other application is 404, whoever's it is.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhengka_domain::permits::application::Application;
use zhengka_store::ApplicationFilter;

use super::own_holder;
use crate::AppState;
use crate::api::{Reply, reply};
use crate::auth::Caller;
use crate::credentials::permit_facts;
use crate::http::{ApiError, ApiPath};

/// More than a permit ever has: one approval and a few extensions.
const MOST: i64 = 100;

#[derive(Serialize)]
pub struct NoticeItem<'a> {
    pub application_id: &'a str,
    pub kind: &'static str,
    pub notice_id: &'a str,
    pub issued_at: String,
}

impl<'a> NoticeItem<'a> {
    pub fn of(a: &'a Application) -> Option<Self> {
        let n = a.notice.as_ref()?;
        Some(Self {
            application_id: &a.id,
            kind: a.form.kind.as_str(),
            notice_id: &n.notice_id,
            issued_at: n
                .issued_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }
}

/// The holder's permit's applications that issued a Notice, newest first.
pub async fn own_notices(app: &AppState, caller: &Caller) -> Result<Vec<Application>, ApiError> {
    let holder = own_holder(app, caller).await?;
    let f = ApplicationFilter {
        search: Some(holder.permit_number.as_str().to_owned()),
        limit: MOST,
        ..Default::default()
    };
    let page = app.store.list_applications(&f).await?;
    // The search also matches passport numbers and names: keep only this
    // permit's applications.
    Ok(page
        .items
        .into_iter()
        .filter(|a| a.permit_number.as_ref() == Some(&holder.permit_number))
        .filter(|a| a.notice.is_some())
        .collect())
}

#[derive(Serialize)]
struct Notices<'a> {
    notices: Vec<NoticeItem<'a>>,
}

pub async fn list(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    let all = own_notices(&app, &caller).await?;
    let notices = all.iter().filter_map(NoticeItem::of).collect();
    reply(StatusCode::OK, &Notices { notices })
}

/// The PDF of the holder's own Notice `id`. Shared with the pages.
pub async fn own_notice_pdf(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Vec<u8>, ApiError> {
    let all = own_notices(app, caller).await?;
    let a = all.iter().find(|a| a.id == id).ok_or(ApiError::NotFound)?;
    let (Some(notice), Some(number)) = (&a.notice, &a.permit_number) else {
        return Err(ApiError::NotFound);
    };
    let font = crate::pdf::pdf_font(app)?;
    let permit = app.store.get_permit(number).await?;
    let employer = app.store.get_employer(&a.employer_id).await?;
    let holder = crate::pdf::holder_for(app, caller, &permit, &a.id).await?;
    crate::pdf::render(
        font,
        &app.config.authority,
        &permit_facts(&permit, &employer),
        notice,
        &holder,
    )
    .map_err(ApiError::Internal)
}

/// The PDF response, named after the application (a UUID the store found).
pub fn pdf_response(id: &str, pdf: Vec<u8>) -> Response {
    let file: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let disposition = format!("attachment; filename=\"work-permit-notice-{file}.pdf\"");
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response()
}

/// `{file}` is `{application_id}.pdf`; anything else is no such document.
pub async fn pdf(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(file): ApiPath<String>,
) -> Result<Response, ApiError> {
    let id = file.strip_suffix(".pdf").ok_or(ApiError::NotFound)?;
    let pdf = own_notice_pdf(&app, &caller, id).await?;
    Ok(pdf_response(id, pdf))
}

/// The holder's on-site Decision as a PDF, once the originals were checked.
/// Shared with the pages.
pub async fn own_decision_pdf(app: &AppState, caller: &Caller) -> Result<Vec<u8>, ApiError> {
    use zhengka_domain::permits::permit::onsite::OnsiteCheck;
    let holder = own_holder(app, caller).await?;
    let permit = app.store.get_permit(&holder.permit_number).await?;
    let OnsiteCheck::Done {
        entry_date,
        checked_on,
        late,
        decision_number,
    } = &permit.onsite
    else {
        return Err(ApiError::Missing {
            code: "no_decision",
            message: "no on-site Decision yet: the originals have not been checked",
        });
    };
    let font = crate::pdf::pdf_font(app)?;
    let employer = app.store.get_employer(&permit.employer_id).await?;
    let facts = crate::pdf::DecisionFacts {
        decision_number,
        entry_date: *entry_date,
        checked_on: *checked_on,
        late: *late,
    };
    let holder = crate::pdf::holder_for(app, caller, &permit, &permit.application_id).await?;
    crate::pdf::render_decision(
        font,
        &app.config.authority,
        &permit_facts(&permit, &employer),
        &facts,
        &holder,
    )
    .map_err(ApiError::Internal)
}

/// `GET /api/v1/ecard/decision.pdf`
pub async fn decision_pdf(
    State(app): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let pdf = own_decision_pdf(&app, &caller).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"onsite-decision.pdf\"".to_owned(),
            ),
        ],
        pdf,
    )
        .into_response())
}
