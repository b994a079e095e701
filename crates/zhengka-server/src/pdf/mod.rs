//! The printable Work Permit Notice (外国人工作许可通知) and the on-site
//! Decision, bilingual, set in an embedded CJK font subset (`font.rs`), with
//! the issuing authority, the holder's photo and the QR drawn as vector
//! rectangles.

mod decision;
pub mod font;
pub mod image;
mod layout;
mod writer;

pub use decision::{DecisionFacts, render_decision};
pub use font::PdfFont;
pub use layout::Holder;
pub use writer::Parts;

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
use crate::authority::Authority;
use crate::credentials::permit_facts;
use crate::http::ApiError;
use crate::http::ApiPath as Path;
use layout::{LEFT, heading, issued, passport_row, photo, rows};
use writer::Page;

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
    let font = pdf_font(app)?;
    let permit: Permit = app.store.get_permit(number).await?;
    let employer = app.store.get_employer(&application.employer_id).await?;
    let holder = holder_for(app, caller, &permit, &application.id).await?;
    render(
        font,
        &app.config.authority,
        &permit_facts(&permit, &employer),
        notice,
        &holder,
    )
    .map_err(ApiError::Internal)
}

/// The configured font, or 503 when the deployment has none.
pub fn pdf_font(app: &AppState) -> Result<&PdfFont, ApiError> {
    app.config.pdf_font.as_ref().ok_or(ApiError::Unavailable {
        code: "pdf_font_missing",
        message: "no CJK font for PDFs: install fonts-wqy-microhei or start with --pdf-font PATH",
    })
}

/// Who may read the passport number on a document: the employer agent of the
/// application and a permit officer (both already checked to see it), and the
/// holder themself. Anyone else gets the document without it.
pub fn may_see_passport(caller: &Caller) -> bool {
    matches!(
        caller.user.role,
        Role::EmployerAgent | Role::PermitOfficer | Role::Foreigner
    )
}

/// The holder's passport number (if the caller may see it) and photo: the
/// newest photo material of `application_id`, else of the application that
/// issued the permit. A photo that does not decode is left out (and logged),
/// not a failed document.
pub async fn holder_for(
    app: &AppState,
    caller: &Caller,
    permit: &Permit,
    application_id: &str,
) -> Result<Holder, ApiError> {
    let mut photo = None;
    for id in [application_id, permit.application_id.as_str()] {
        let materials = app.store.list_materials(id).await?;
        if let Some(m) = materials.iter().rev().find(|m| m.kind == "photo") {
            let (meta, bytes) = app.store.material_data(&m.id).await?;
            match image::Image::from_material(&meta.content_type, &bytes) {
                Ok(img) => photo = Some(img),
                Err(e) => tracing::warn!(material = %meta.id, "photo left off a PDF: {e}"),
            }
            break;
        }
    }
    Ok(Holder {
        passport_number: may_see_passport(caller).then(|| permit.passport_number.clone()),
        photo,
    })
}

/// Lay out the Notice.
pub fn render(
    font: &PdfFont,
    authority: &Authority,
    f: &PermitFacts,
    notice: &Notice,
    holder: &Holder,
) -> Result<Vec<u8>, String> {
    Ok(notice_parts(font, authority, f, notice, holder)?.write())
}

/// The Notice laid out and its font subset made, not yet serialised.
pub fn notice_parts(
    font: &PdfFont,
    authority: &Authority,
    f: &PermitFacts,
    notice: &Notice,
    holder: &Holder,
) -> Result<Parts, String> {
    layout_notice(font, authority, f, notice, holder)?.parts(&format!(
        "外国人工作许可通知 Work Permit Notice {}",
        notice.notice_id
    ))
}

fn layout_notice<'f>(
    font: &'f PdfFont,
    authority: &Authority,
    f: &PermitFacts,
    notice: &Notice,
    holder: &Holder,
) -> Result<Page<'f>, String> {
    let mut page = Page::new(font);
    heading(
        &mut page,
        authority,
        "外国人工作许可通知",
        "Work Permit Notice",
        &notice.notice_id,
    );
    photo(&mut page, holder);
    let validity = format!("{} - {}", f.valid_from, f.valid_to);
    let mut facts = vec![
        ("姓名", "Name", f.holder_name.as_str()),
        ("国籍", "Nationality", &f.nationality),
        ("出生日期", "Date of birth", &f.date_of_birth),
    ];
    facts.extend(passport_row(holder));
    facts.extend([
        (
            "工作许可证号",
            "Work permit number",
            f.permit_number.as_str(),
        ),
        ("类别", "Class", &f.class),
        ("用人单位", "Employer", &f.employer_name),
        (
            "统一社会信用代码",
            "Unified Social Credit Code",
            &f.employer_uscc,
        ),
        ("职位", "Position", &f.position),
        ("有效期", "Valid", &validity),
    ]);
    let below = rows(&mut page, 690.0, &facts);
    let qr = QrMatrix::encode(&notice.qr).map_err(|e| format!("{e:?}"))?;
    // At most 220 pt wide, whatever the payload's length.
    let module = MODULE_PT.min(220.0 / qr.width() as f32);
    let side = qr.width() as f32 * module;
    let top = below + 8.0;
    page.raw(&qr_ops(&qr, LEFT, top, module));
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
        page.text(LEFT, top - side - 18.0 - i as f32 * 14.0, size, line);
    }
    issued(
        &mut page,
        authority,
        &notice.issued_at.format("%Y-%m-%d").to_string(),
    );
    Ok(page)
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
