//! What an officer needs at the top of an application to decide it: the
//! employer, the holder, why it was last returned, whether separation of
//! duties bars this officer from approving, and for a cancellation the permit
//! it ends, the reason and the date it takes effect.

use minijinja::{Value, context};
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::workflow::HistoryAction;
use zhengka_domain::permits::application::{
    Application, ApplicationKind, ApplicationStatus, Outcome, duties,
};

use crate::AppState;
use crate::http::ApiError;
use crate::web::render::PageError;
use crate::web::visitor::Visitor;

pub async fn facts(app: &AppState, v: &Visitor, a: &Application) -> Result<Value, PageError> {
    let employer = app
        .store
        .get_employer(&a.employer_id)
        .await
        .map_err(ApiError::from)?;
    // Kinds that act on a permit name no foreigner: the permit says who.
    let permit = match &a.form.permit_number {
        Some(n) => app.store.get_permit(n).await.ok(),
        None => None,
    };
    let holder = match (&a.form.foreigner, &permit) {
        (Some(f), _) => Some((f.name.to_string(), f.passport_number.expose().to_owned())),
        (None, Some(p)) => Some((
            p.holder_name.to_string(),
            p.passport_number.expose().to_owned(),
        )),
        (None, None) => None,
    };
    let cancellation = a
        .form
        .cancellation
        .as_ref()
        .filter(|_| a.form.kind == ApplicationKind::Cancellation)
        .map(|c| {
            context! {
                permit_number => a.form.permit_number.as_ref().map(|n| n.to_string()),
                valid_to => permit.as_ref().map(|p| p.valid_to.to_string()),
                effective => c.employment_ended_on.to_string(),
                reason => c.reason.as_ref().map(|r| r.as_str().to_owned()),
            }
        });
    Ok(context! {
        employer => context! { name => employer.name.to_string(), uscc => employer.uscc.to_string() },
        holder => holder.map(|(name, passport)| context! { name => name, passport => passport }),
        return_reason => return_reason(a),
        cancellation => cancellation,
        approver_barred => approver_barred(app, v, a),
    })
}

/// The officer's comment on the return, while the application waits for the
/// employer (or was resubmitted after it).
fn return_reason(a: &Application) -> Option<String> {
    let last_return = a.history.iter().rev().find(|h| {
        matches!(
            h.action,
            HistoryAction::Decided {
                outcome: Outcome::Return,
                ..
            }
        )
    })?;
    let open = a.status == ApplicationStatus::ReturnedForUpdate;
    open.then(|| last_return.comment.clone()).flatten()
}

/// The signed-in officer accepted this application and it now awaits
/// approval: with separation of duties on, another officer must approve it.
fn approver_barred(app: &AppState, v: &Visitor, a: &Application) -> bool {
    let Some(c) = v
        .caller
        .as_ref()
        .filter(|c| c.user.role == Role::PermitOfficer)
    else {
        return false;
    };
    app.config.policy.separation_of_duties
        && a.status == ApplicationStatus::PreliminaryReviewed
        && duties::accepted_by(&a.history) == Some(c.user.id.as_str())
}
