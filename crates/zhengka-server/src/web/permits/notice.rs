//! The Notice PDF for the pages: the same document as the API's
//! `GET /api/v1/applications/{id}/notice.pdf`, through the session cookie.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use zhengka_domain::employer::Role;

use crate::AppState;
use crate::pdf::notice_pdf_for;
use crate::web::render::PageError;
use crate::web::visitor::Visitor;

/// `GET /web/applications/{id}/notice.pdf`
pub async fn pdf(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let pdf = notice_pdf_for(&app, caller, &id).await?;
    // The id is a UUID the store found, so it is safe in the header.
    let file: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let disposition = format!("attachment; filename=\"work-permit-notice-{file}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}
