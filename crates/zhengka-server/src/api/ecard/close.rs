//! `POST /api/v1/ecard/holders/{id}/close`: the holder closes their own
//! account, or an admin does; the person may then register again. The user
//! is renamed, its sessions end, its devices' credentials are revoked.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use serde_json::json;
use zhengka_domain::employer::Role;
use zhengka_store::{Audit, StoreError, Write};

use crate::AppState;
use crate::auth::Caller;
use crate::http::{ApiError, ApiPath};

pub async fn close(
    State(app): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    close_account(&app, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Close holder `id`'s account; shared by the API and the e-card page.
pub async fn close_account(app: &AppState, caller: &Caller, id: &str) -> Result<(), ApiError> {
    caller.require(&[Role::Foreigner, Role::Admin])?;
    let holder = match app.store.get_holder(id).await {
        Ok(h) => h,
        Err(StoreError::NotFound) => return Err(ApiError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if caller.user.role == Role::Foreigner && holder.user_id != caller.user.id {
        return Err(ApiError::NotFound);
    }
    let w = Write::new(Audit {
        at: Utc::now(),
        actor: caller.user.id.clone(),
        action: "ecard.holder_closed",
        entity_type: "ecard_holder",
        entity_id: holder.id.clone(),
        details: json!({ "permit_number": holder.permit_number.as_str() }),
    });
    match app.store.close_holder(&holder, w).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict { .. }) => Err(ApiError::conflict(
            "holder_closed",
            "this e-card account is closed already",
        )),
        Err(e) => Err(e.into()),
    }
}
