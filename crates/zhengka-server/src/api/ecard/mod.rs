//! The e-card context's API: registration (real-name, then real-person), the
//! holder's own e-card, and closing an account.

pub mod close;
pub mod devices;
pub mod notices;
pub mod notifications;
pub mod real_person;
pub mod register;
pub mod verifications;
pub mod view;

use zhengka_domain::ecard::Holder;
use zhengka_domain::employer::Role;
use zhengka_store::StoreError;

use crate::AppState;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::routes::Routes;

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/ecard/registrations", register::register)
        .post(
            "/api/v1/ecard/registrations/{id}/real-person",
            real_person::check,
        )
        .body_limit(
            "/api/v1/ecard/registrations/{id}/real-person",
            real_person::BODY_LIMIT,
        )
        .post("/api/v1/ecard/password-resets", register::reset)
        .get("/api/v1/ecard", view::get)
        .get("/api/v1/ecard/ssn", view::ssn)
        .post("/api/v1/ecard/holders/{id}/close", close::close)
        .get("/api/v1/ecard/notifications", notifications::list)
        .post("/api/v1/ecard/notifications/{id}/read", notifications::read)
        .post("/api/v1/ecard/devices", devices::bind)
        .get("/api/v1/ecard/devices", devices::list)
        .get("/api/v1/ecard/devices/{id}/credential", devices::credential)
        .delete("/api/v1/ecard/devices/{id}", devices::revoke)
        .get("/api/v1/ecard/notices", notices::list)
        .get("/api/v1/ecard/notices/{file}", notices::pdf)
        .get("/api/v1/ecard/decision.pdf", notices::decision_pdf)
        .get("/api/v1/ecard/verifications", verifications::list)
        .get("/api/v1/ecard/service-uses", verifications::service_uses)
}

/// The signed-in holder's open account: 403 for any other role.
pub async fn own_holder(app: &AppState, caller: &Caller) -> Result<Holder, ApiError> {
    caller.require(&[Role::Foreigner])?;
    match app.store.holder_of_user(caller.id()).await {
        Ok(h) => Ok(h),
        Err(StoreError::NotFound) => Err(ApiError::Forbidden),
        Err(e) => Err(e.into()),
    }
}
