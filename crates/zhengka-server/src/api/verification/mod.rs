//! The verification context's API; today the one-card service catalogue.

pub mod services;

use crate::http::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.get("/api/v1/services", services::list)
        .post("/api/v1/services", services::create)
        .post("/api/v1/services/import", services::import)
        .body_limit("/api/v1/services/import", services::IMPORT_LIMIT)
        .get("/api/v1/services/{code}", services::get)
        .put("/api/v1/services/{code}", services::update)
}
