//! The printable Work Permit Notice (外国人工作许可通知), bilingual, with its QR
//! drawn as vector rectangles.

mod decision;
mod writer;

pub use decision::{DecisionFacts, render_decision};

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use zhengka_credential::{PermitFacts, QrMatrix};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::Notice;
use zhengka_domain::permits::permit::Permit;

use crate::AppState;
use crate::api::permits::applications::load_visible;
use crate::auth::Caller;
use crate::credentials::permit_facts;
use crate::http::ApiError;
use crate::http::ApiPath as Path;
use writer::{A4, Page};

/// Points per QR module: 3 pt gives a symbol of about 3.5 cm for a Notice.
pub const MODULE_PT: f32 = 3.0;

/// `GET /api/v1/applications/{id}/notice.pdf`
pub async fn notice_pdf(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let pdf = notice_pdf_for(&app, &caller, &id).await?;
    let disposition = format!("attachment; filename=\"work-permit-notice-{id}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

/// The Notice PDF of an application the caller may see. Shared with the pages.
pub async fn notice_pdf_for(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Vec<u8>, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer])?;
    let application = load_visible(app, caller, id).await?;
    let (Some(notice), Some(number)) = (&application.notice, &application.permit_number) else {
        return Err(ApiError::conflict(
            "no_notice",
            "only an approved new_from_abroad, reissue_notice, extension or change application has a Notice",
        ));
    };
    let permit: Permit = app.store.get_permit(number).await?;
    let employer = app.store.get_employer(&application.employer_id).await?;
    render(&permit_facts(&permit, &employer), notice).map_err(ApiError::Internal)
}

/// Lay out the Notice.
pub fn render(f: &PermitFacts, notice: &Notice) -> Result<Vec<u8>, String> {
    let mut page = Page::default();
    let left = 56.0;
    page.text(left, 780.0, 20.0, "外国人工作许可通知");
    page.text(left, 758.0, 14.0, "Work Permit Notice");
    page.text(left, 736.0, 10.0, "编号");
    page.text(
        left + 24.0,
        736.0,
        10.0,
        &format!("No. {}", notice.notice_id),
    );
    page.line(left, 726.0, A4.0 - left, 726.0);
    let rows: [(&str, &str, &str); 9] = [
        ("姓名", "Name", &f.holder_name),
        ("国籍", "Nationality", &f.nationality),
        ("出生日期", "Date of birth", &f.date_of_birth),
        ("工作许可证号", "Work permit number", &f.permit_number),
        ("类别", "Class", &f.class),
        ("用人单位", "Employer", &f.employer_name),
        (
            "统一社会信用代码",
            "Unified Social Credit Code",
            &f.employer_uscc,
        ),
        ("职位", "Position", &f.position),
        (
            "有效期",
            "Valid",
            &format!("{} - {}", f.valid_from, f.valid_to),
        ),
    ];
    for (i, (zh, en, value)) in rows.iter().enumerate() {
        let y = 700.0 - i as f32 * 34.0;
        page.text(left, y, 10.0, zh);
        page.text(left, y - 12.0, 8.0, en);
        page.text(left + 150.0, y - 6.0, 11.0, value);
    }
    let qr = QrMatrix::encode(&notice.qr).map_err(|e| format!("{e:?}"))?;
    // At most 250 pt wide, whatever the payload's length.
    let module = MODULE_PT.min(250.0 / qr.width() as f32);
    let side = qr.width() as f32 * module;
    let top = 392.0;
    page.raw(&qr_ops(&qr, left, top, module));
    let notes = [
        (
            10.0,
            "扫描二维码核验本通知；入境后扫描二维码领取电子社保卡。",
        ),
        (
            8.0,
            "Scan the QR code to verify this Notice; after entry, scan it to register the electronic social security card.",
        ),
        (
            10.0,
            "B类、C类人员须在入境后30日内携带材料原件到受理窗口核验。",
        ),
        (
            8.0,
            "Class B and C holders: bring the original materials to the acceptance window within 30 days of entry.",
        ),
    ];
    for (i, (size, line)) in notes.into_iter().enumerate() {
        page.text(left, top - side - 22.0 - i as f32 * 15.0, size, line);
    }
    page.text(
        left,
        50.0,
        8.0,
        &format!("Issued {}", notice.issued_at.format("%Y-%m-%d")),
    );
    Ok(page.finish(&format!(
        "外国人工作许可通知 Work Permit Notice {}",
        notice.notice_id
    )))
}

/// The QR as filled rectangles, one per run of dark modules, between marker
/// comments (`% qr x top module width`) that tests use to read it back.
fn qr_ops(qr: &QrMatrix, x0: f32, top: f32, m: f32) -> String {
    let mut ops = format!("% qr {x0:.2} {top:.2} {m:.2} {}\n0 g\n", qr.width());
    for (x, y, n) in qr.runs() {
        let (rx, ry) = (x0 + x as f32 * m, top - (y + 1) as f32 * m);
        ops.push_str(&format!("{rx:.2} {ry:.2} {:.2} {m:.2} re\n", n as f32 * m));
    }
    ops.push_str("f\n% qr-end\n");
    ops
}

#[cfg(test)]
mod tests;
