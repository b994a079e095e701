//! The permits context's API: applications and their review, materials, the
//! permit records (entry, on-site check) and old physical permits.

pub mod applications;
pub mod legacy;
pub mod materials;
pub mod permits_list;
pub mod records;

use crate::http::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    use applications::{create, decide, get, list, submit, update};
    r.post("/api/v1/applications", create::create)
        .get("/api/v1/applications", list::list)
        .get("/api/v1/applications/{id}", get::get)
        .put("/api/v1/applications/{id}", update::update)
        .post("/api/v1/applications/{id}/submit", submit::submit)
        .post("/api/v1/applications/{id}/decisions", decide::decide)
        .post("/api/v1/applications/{id}/materials", materials::upload)
        .get("/api/v1/applications/{id}/materials", materials::list)
        .body_limit("/api/v1/applications/{id}/materials", materials::BODY_LIMIT)
        .get(
            "/api/v1/applications/{id}/materials/{material_id}",
            materials::download,
        )
        .get("/api/v1/permits", permits_list::list)
        .post("/api/v1/permits", legacy::create)
        .get("/api/v1/permits/{permit_number}", records::get)
        .post(
            "/api/v1/permits/{permit_number}/entry",
            records::record_entry,
        )
        .post(
            "/api/v1/permits/{permit_number}/onsite-verifications",
            records::onsite_verification,
        )
}
