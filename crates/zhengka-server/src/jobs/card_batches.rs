//! The production batch job: every `every`, the applied cards of the
//! deployment's region go to the manufacturer in one batch, made as a system
//! card officer of that region (card officers also batch on demand, from the
//! page, the API or `zhengka cards batch`). The first run waits a whole period,
//! so a freshly started server leaves what is pending alone.

use std::time::Duration;

use chrono::Utc;
use zhengka_domain::employer::{Role, User};
use zhengka_domain::ids::RegionCode;

use super::runner::Scope;
use crate::AppState;
use crate::api::cards::batches::make_batch;
use crate::auth::Caller;
use crate::http::ApiError;

/// The caller the job acts as: a card officer of the issuing region.
fn system_officer(region: &str) -> Option<Caller> {
    Some(Caller {
        user: User {
            id: "system:card-batches".into(),
            username: "system".into(),
            role: Role::CardOfficer,
            employer_id: None,
            region_code: Some(RegionCode::parse(region).ok()?),
            created_at: Utc::now(),
        },
        token_hash: "job".into(),
    })
}

/// Make one batch of the region's applied cards; `None` when none wait.
pub async fn batch_applied_cards(app: &AppState) -> Result<Option<String>, ApiError> {
    let Some(caller) = system_officer(&app.config.issuer_region) else {
        return Err(ApiError::Internal(
            "the issuer region is not a region code".into(),
        ));
    };
    match make_batch(app, &caller, None).await {
        Ok((batch, _)) => Ok(Some(batch.id)),
        Err(ApiError::Conflict {
            code: "nothing_to_batch",
            ..
        }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Batch every `every`, the first time one period after start (a freshly
/// started server leaves what is pending alone); a leased job, so one
/// instance makes each batch.
pub fn spawn_card_batcher(app: AppState, every: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(every).await;
        super::runner::spawn(app, super::CARD_BATCHES, Scope::Leased, every, |app, _| {
            Box::pin(async move {
                let made = batch_applied_cards(&app).await;
                if let Some(id) =
                    made.map_err(|e| zhengka_store::StoreError::other(e.to_string()))?
                {
                    tracing::info!(batch = %id, "card production batch made");
                }
                Ok(())
            })
        });
    });
}
