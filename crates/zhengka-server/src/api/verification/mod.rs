//! The verification context's API: the one-card service catalogue and the
//! registry of relying parties with their API credentials.

pub mod public_check;
pub mod relying_parties;
pub mod service_uses;
pub mod services;
pub mod share_codes;
pub mod verify;

use crate::http::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/services", services::list)
        .post("/api/v1/services", services::create)
        .post("/api/v1/services/import", services::import)
        .body_limit("/api/v1/services/import", services::IMPORT_LIMIT)
        .get("/api/v1/services/{code}", services::get)
        .put("/api/v1/services/{code}", services::update)
        .post("/api/v1/relying-parties", relying_parties::create)
        .get("/api/v1/relying-parties", relying_parties::list)
        .get("/api/v1/relying-parties/{id}", relying_parties::get)
        .put("/api/v1/relying-parties/{id}", relying_parties::update)
        .post(
            "/api/v1/relying-parties/{id}/credentials",
            relying_parties::issue_credential,
        )
        .delete(
            "/api/v1/relying-parties/{id}/credentials/{cid}",
            relying_parties::revoke_credential,
        )
        .post(
            "/api/v1/relying-parties/{id}/members",
            relying_parties::add_member,
        )
        .get(
            "/api/v1/relying-parties/{id}/verifications",
            relying_parties::verifications,
        )
        .post("/api/v1/service-uses", service_uses::create)
        .post("/api/v1/ecard/share-codes", share_codes::create)
        .get("/api/v1/ecard/share-codes", share_codes::list)
        .post("/api/v1/public-checks", public_check::create)
}
