//! The social security context's API: enrolment (the permit checked through
//! the system, the SSN issued with the five insurances) and accounts.

pub mod accounts;
pub mod enrol;
pub mod view;

use zhengka_domain::cards::Card;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::permit::{Permit, PermitNumber};
use zhengka_domain::social_security::Account;
use zhengka_store::StoreError;

use crate::AppState;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::routes::Routes;

pub use view::{AccountView, sees_full_ssn};

/// The social security account of a permit, if one was opened, and its
/// (latest) card: what the e-card and a verification show beside the permit.
pub(crate) async fn account_and_card(
    app: &AppState,
    number: &PermitNumber,
) -> Result<(Option<Account>, Option<Card>), ApiError> {
    let account = match app.store.account_for_permit(number).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Ok((None, None)),
        Err(e) => return Err(e.into()),
    };
    let card = app
        .store
        .cards_of_account(&account.id)
        .await?
        .into_iter()
        .next();
    Ok((Some(account), card))
}

pub fn routes(r: Routes) -> Routes {
    r.post("/api/v1/social-security/enrolments", enrol::enrol)
        .get("/api/v1/social-security/accounts", accounts::list)
        .get("/api/v1/social-security/accounts/{ssn}", accounts::get)
}

/// The permit through the permits context's published query, if the caller
/// may act on it: a social security officer of its region, or its employer.
pub(crate) async fn visible_permit(
    app: &AppState,
    caller: &Caller,
    number: &PermitNumber,
) -> Result<Permit, ApiError> {
    let missing = ApiError::Missing {
        code: "permit_not_found",
        message: "no such permit",
    };
    let permit = match app.store.get_permit(number).await {
        Err(zhengka_store::StoreError::NotFound) => return Err(missing),
        other => other?,
    };
    let visible = match caller.user.role {
        Role::EmployerAgent => caller.user.employer_id.as_deref() == Some(&permit.employer_id),
        _ => caller.covers(&permit.region_code),
    };
    if visible { Ok(permit) } else { Err(missing) }
}
