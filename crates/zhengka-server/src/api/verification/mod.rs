//! The verification context's API: the one-card service catalogue and the
//! registry of relying parties with their API credentials, and the
//! agencies' webhook subscriptions.

pub mod federation;
pub mod gates;
pub mod offline_batch;
pub mod public_check;
pub mod relying_parties;
pub mod service_uses;
pub mod services;
pub mod share_codes;
pub mod verify;
pub mod webhooks;

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
        .post("/api/v1/relying-parties/{id}/gates", gates::register)
        .get("/api/v1/relying-parties/{id}/gates", gates::list)
        .delete(
            "/api/v1/relying-parties/{id}/gates/{gate_id}",
            gates::revoke,
        )
        .post("/api/v1/verifications/batch", offline_batch::upload)
        .body_limit("/api/v1/verifications/batch", offline_batch::BODY_LIMIT)
        .post("/api/v1/federation/peers", federation::create)
        .get("/api/v1/federation/peers", federation::list)
        .get("/api/v1/federation/peers/{id}", federation::get)
        .delete("/api/v1/federation/peers/{id}", federation::remove)
        .post("/api/v1/federation/peers/{id}/refresh", federation::refresh)
        .get("/api/v1/federation/trust-lists", federation::trust_lists)
        .post("/api/v1/webhooks", webhooks::create)
        .get("/api/v1/webhooks", webhooks::list)
        .get("/api/v1/webhooks/{id}", webhooks::get)
        .put("/api/v1/webhooks/{id}", webhooks::update)
        .delete("/api/v1/webhooks/{id}", webhooks::deactivate)
        .post(
            "/api/v1/webhooks/{id}/rotate-secret",
            webhooks::rotate_secret,
        )
        .get("/api/v1/webhooks/{id}/deliveries", webhooks::deliveries)
        .post(
            "/api/v1/webhooks/deliveries/{id}/redeliver",
            webhooks::redeliver,
        )
        .post("/api/v1/admin/deliver-webhooks", webhooks::deliver_now)
        .post("/api/v1/public-checks", public_check::create)
}
