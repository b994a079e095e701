//! Permit applications: one file per action.

pub mod create;
pub mod decide;
pub mod get;
pub mod list;
pub mod submit;
pub mod update;

use chrono::NaiveDate;
use zhengka_domain::permits::application::validate::validate;
use zhengka_domain::permits::application::{Application, ApplicationForm, classify_form};
use zhengka_domain::permits::permit::Permit;
use zhengka_domain::permits::permit::eligibility::check_existing_permit;
use zhengka_domain::permits::scoring::Classification;
use zhengka_store::StoreError;

use crate::AppState;
use crate::auth::Caller;
use crate::http::ApiError;

/// Load an application the caller may see; anyone else's is 404.
pub async fn load_visible(
    app: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Application, ApiError> {
    let application = app.store.get_application(id).await?;
    caller.may_see(&application.employer_id, &application.region_code)?;
    Ok(application)
}

/// Check a form for filing by `employer_id` on `today`: the form's own rules, the
/// permit it acts on, and the class it earns.
pub async fn check_form(
    app: &AppState,
    form: &ApplicationForm,
    employer_id: &str,
    today: NaiveDate,
) -> Result<Option<Classification>, ApiError> {
    validate(form, today)?;
    let permit = existing_permit(app, form, employer_id).await?;
    if let Some(p) = &permit {
        check_existing_permit(form, p, today)?;
    }
    let date_of_birth = match (&form.foreigner, &permit) {
        (Some(f), _) => f.date_of_birth,
        (None, Some(p)) => p.date_of_birth,
        (None, None) => return Ok(None),
    };
    Ok(classify_form(
        form,
        date_of_birth,
        &app.config.policy,
        today,
    )?)
}

/// The permit a form acts on, if its kind needs one. Another employer's permit
/// is reported exactly like an unknown one.
pub async fn existing_permit(
    app: &AppState,
    form: &ApplicationForm,
    employer_id: &str,
) -> Result<Option<Permit>, ApiError> {
    let Some(number) = &form.permit_number else {
        return Ok(None);
    };
    let unknown = || {
        ApiError::invalid(
            "permit_number",
            "permit_not_found",
            "no permit with this number for your employer",
        )
    };
    match app.store.get_permit(number).await {
        Ok(p) if p.employer_id == employer_id => Ok(Some(p)),
        Ok(_) | Err(StoreError::NotFound) => Err(unknown()),
        Err(e) => Err(e.into()),
    }
}
