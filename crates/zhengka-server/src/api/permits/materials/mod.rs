//! Materials of an application: upload (the raw file as the body, its type
//! found from the content), list, download. The pages call `attach`,
//! `list_for` and `download_for`, and answer downloads with `file_response`.

pub mod sniff;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::form::{FileName, MaterialKind};
use zhengka_store::Material;
use zhengka_store::vault::hex;

use super::applications::load_visible;
use crate::AppState;
use crate::api::{Reply, audit, page, reply};
use crate::auth::Caller;
use crate::http::idempotency::IdempotencyKey;
use crate::http::{ApiError, ApiQuery, invalid_at};
// Path parameters answer in the API error envelope.
use crate::http::ApiPath as Path;
pub use sniff::{FileRefused, FileType, MAX_FILE_BYTES, check_file};

/// The body limit of the upload route: one file and room for a multipart
/// envelope around it (the page's form).
pub const BODY_LIMIT: usize = MAX_FILE_BYTES + 64 * 1024;

#[derive(Deserialize)]
pub struct UploadQuery {
    kind: Option<String>,
    file_name: Option<String>,
}

/// `POST /api/v1/applications/{id}/materials?kind=..&file_name=..`
pub async fn upload(
    State(app): State<AppState>,
    caller: Caller,
    key: Option<Extension<IdempotencyKey>>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Reply, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::bad_request("unreadable_body", e.body_text()),
    })?;
    let (kind, name) = (q.kind.unwrap_or_default(), q.file_name.unwrap_or_default());
    Ok(
        attach(&app, &caller, key.as_deref(), &id, &kind, &name, &body)
            .await?
            .1,
    )
}

/// Add a material to an editable application of the caller's employer. Shared
/// by the API and the pages. Every check comes before anything is written.
pub async fn attach(
    app: &AppState,
    caller: &Caller,
    key: Option<&IdempotencyKey>,
    id: &str,
    kind: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<(Material, Reply), ApiError> {
    caller.require(&[Role::EmployerAgent])?;
    let application = load_visible(app, caller, id).await?;
    if !application.status.is_editable() {
        return Err(ApiError::conflict(
            "not_editable",
            format!(
                "materials can be added to a draft or returned application, not a {} one",
                application.status.as_str()
            ),
        ));
    }
    let kind: MaterialKind = serde_json::from_value(Value::String(kind.to_owned()))
        .map_err(|_| ApiError::invalid("kind", "unknown_value", "not a kind of material"))?;
    let file_name = FileName::parse(file_name).map_err(|e| invalid_at("file_name", e))?;
    let file_type =
        check_file(bytes).map_err(|r| ApiError::invalid("file", r.code(), r.message()))?;
    let material = Material {
        id: uuid::Uuid::new_v4().to_string(),
        application_id: application.id.clone(),
        kind: kind_name(kind),
        file_name: file_name.as_str().to_owned(),
        content_type: file_type.content_type().to_owned(),
        size_bytes: i64::try_from(bytes.len()).map_err(|e| ApiError::Internal(e.to_string()))?,
        sha256: hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref()),
        created_at: Utc::now(),
    };
    let reply = reply(StatusCode::CREATED, &to_json(&material))?;
    let details = json!({
        "material_id": material.id, "kind": material.kind, "content_type": material.content_type,
        "size_bytes": material.size_bytes, "sha256": material.sha256,
    });
    let write = audit(
        caller,
        key,
        "material.uploaded",
        ("application", id),
        details,
        &reply,
    );
    // Written only if the application is still the version checked above: an
    // upload racing a submission cannot land on the submitted application.
    app.store
        .insert_material(&material, bytes, application.version, write)
        .await?;
    Ok((material, reply))
}

/// `passport_copy`: the wire name of a kind.
fn kind_name(kind: MaterialKind) -> String {
    match serde_json::to_value(kind) {
        Ok(Value::String(s)) => s,
        _ => "other".to_owned(),
    }
}

/// The wire form of a material (no bytes).
pub fn to_json(m: &Material) -> Value {
    json!({
        "id": m.id, "application_id": m.application_id, "kind": m.kind,
        "file_name": m.file_name, "content_type": m.content_type,
        "size_bytes": m.size_bytes, "sha256": m.sha256, "created_at": m.created_at,
    })
}

/// `GET /api/v1/applications/{id}/materials`
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Reply, ApiError> {
    let items = list_for(&app, &caller, &id).await?;
    reply(
        StatusCode::OK,
        &page(items.iter().map(to_json).collect(), None),
    )
}

/// The materials of an application the caller may see.
pub async fn list_for(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Vec<Material>, ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let application = load_visible(app, caller, id).await?;
    Ok(app.store.list_materials(&application.id).await?)
}

/// `GET /api/v1/applications/{id}/materials/{material_id}`: the file itself.
pub async fn download(
    State(app): State<AppState>,
    caller: Caller,
    Path((id, material_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (meta, data) = download_for(&app, &caller, &id, &material_id).await?;
    Ok(file_response(&meta, data))
}

/// One material of an application the caller may see, with its bytes.
pub async fn download_for(
    app: &AppState,
    caller: &Caller,
    id: &str,
    material_id: &str,
) -> Result<(Material, Vec<u8>), ApiError> {
    caller.require(&[Role::EmployerAgent, Role::PermitOfficer, Role::Admin])?;
    let application = load_visible(app, caller, id).await?;
    let (meta, data) = app.store.material_data(material_id).await?;
    if meta.application_id != application.id {
        return Err(ApiError::NotFound);
    }
    Ok((meta, data))
}

/// The file as an attachment, typed as sniffed at upload, never sniffed again
/// by the browser, and not kept in caches (it is personal data).
pub fn file_response(meta: &Material, data: Vec<u8>) -> Response {
    let mut response = data.into_response();
    let h = response.headers_mut();
    let content_type = HeaderValue::from_str(&meta.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    h.insert(header::CONTENT_TYPE, content_type);
    if let Ok(v) = HeaderValue::from_str(&disposition(&meta.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `attachment` with an ASCII fallback name and the real one (RFC 6266/8187).
fn disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn disposition_is_safe_for_any_name() {
        assert_eq!(
            super::disposition("护照 \"x\".pdf"),
            "attachment; filename=\"__ _x_.pdf\"; filename*=UTF-8''%E6%8A%A4%E7%85%A7%20%22x%22.pdf"
        );
    }
}
