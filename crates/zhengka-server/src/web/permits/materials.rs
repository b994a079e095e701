//! Materials on the application page: the list with download links (employer,
//! officer, admin) and the upload form (employer, editable applications). The
//! upload goes through `api::permits::materials::attach`: the same checks as the API.

use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{FromRequest, FromRequestParts, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{Application, required_materials};

use super::detail;
use crate::AppState;
use crate::api::permits::applications::load_visible;
use crate::api::permits::materials::{attach, download_for, file_response};
use crate::http::ApiError;
use crate::web::flash;
use crate::web::form::Problems;
use crate::web::render::PageError;
use crate::web::visitor::{Fields, Visitor};

/// Every kind of material, in the order of the upload form's list.
pub const MATERIAL_KINDS: [&str; 9] = [
    "passport_copy",
    "photo",
    "employment_contract",
    "degree_certificate",
    "work_experience_proof",
    "no_criminal_record",
    "medical_report",
    "visa_or_residence_permit_copy",
    "other",
];

/// The materials section of `a`'s page; `selected` is the kind last posted.
pub async fn panel(
    app: &AppState,
    v: &Visitor,
    a: &Application,
    selected: &str,
) -> Result<Value, PageError> {
    let Some(caller) = &v.caller else {
        return Ok(Value::from(()));
    };
    let found = app
        .store
        .list_materials(&a.id)
        .await
        .map_err(ApiError::from)?;
    let items: Vec<Value> = found
        .iter()
        .map(|m| {
            context! {
                id => m.id.clone(),
                kind => m.kind.clone(),
                file_name => m.file_name.clone(),
                format => m.content_type.rsplit('/').next().unwrap_or("").to_uppercase(),
                size => size(m.size_bytes),
                at => v.at(m.created_at),
            }
        })
        .collect();
    let can_upload = caller.user.role == Role::EmployerAgent && a.status.is_editable();
    // What the kind expects, ticked when a file of that kind is there.
    let checklist: Vec<Value> = required_materials(a.form.kind)
        .iter()
        .map(|k| {
            let kind = super::detail::name(k);
            let present = found.iter().any(|m| m.kind == kind);
            context! { kind => kind, present => present }
        })
        .collect();
    Ok(
        context! { items => items, checklist => checklist, can_upload => can_upload, kinds => MATERIAL_KINDS, selected => selected },
    )
}

fn size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The upload form's fields.
#[derive(Default)]
struct Upload {
    csrf: String,
    kind: String,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read(mut form: Multipart) -> Result<Upload, MultipartError> {
    let mut u = Upload::default();
    while let Some(field) = form.next_field().await? {
        match field.name().unwrap_or("") {
            "csrf" => u.csrf = field.text().await?,
            "kind" => u.kind = field.text().await?,
            "file" => {
                u.file_name = field.file_name().unwrap_or("").to_owned();
                u.bytes = field.bytes().await?.to_vec();
            }
            _ => {}
        }
    }
    Ok(u)
}

/// `POST /web/applications/{id}/materials` (multipart/form-data, CSRF-checked).
pub async fn upload(
    State(app): State<AppState>,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, PageError> {
    let (mut parts, body) = req.into_parts();
    let v = Visitor::from_request_parts(&mut parts, &app).await?;
    let caller = v.require(&[Role::EmployerAgent])?;
    let bad = || PageError::Status(StatusCode::BAD_REQUEST, "error.request");
    let form = Multipart::from_request(Request::from_parts(parts, body), &app)
        .await
        .map_err(|_| bad())?;
    let mut kind = String::new();
    let outcome = match read(form).await {
        Ok(u) => {
            kind.clone_from(&u.kind);
            if !v.csrf_ok(&u.csrf) {
                return Err(PageError::Status(StatusCode::FORBIDDEN, "error.csrf"));
            }
            attach(&app, caller, None, &id, &u.kind, &u.file_name, &u.bytes)
                .await
                .map(|_| ())
        }
        // Larger than the body limit: said like a file over 5 MiB (nothing
        // was written, and the CSRF token may not even have been read).
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::invalid(
            "file",
            "file_too_large",
            "the file is larger than 5 MiB",
        )),
        Err(_) => return Err(bad()),
    };
    match outcome {
        Ok(()) => {
            let to = flash::done(&format!("/web/applications/{id}#materials"), "uploaded");
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            // The file input stands for its name too.
            let e = match e {
                ApiError::Invalid {
                    code,
                    message,
                    field: Some(f),
                } if f == "file_name" => ApiError::invalid("file", &code, message),
                other => other,
            };
            let status = e.status();
            let problems = Problems::from_api(&v, e)?;
            let a = load_visible(&app, caller, &id).await?;
            let posted = Fields(vec![("material.kind".to_owned(), kind)]);
            detail::page_posted(&app, &v, &a, &problems, &posted, status).await
        }
    }
}

/// `GET /web/applications/{id}/materials/{material_id}`
pub async fn download(
    State(app): State<AppState>,
    v: Visitor,
    Path((id, material_id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let (meta, data) = download_for(&app, caller, &id, &material_id).await?;
    Ok(file_response(&meta, data))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_well() {
        assert_eq!(super::size(512), "512 B");
        assert_eq!(super::size(1536), "1.5 KiB");
        assert_eq!(super::size(5 * 1024 * 1024), "5.0 MiB");
    }
}
