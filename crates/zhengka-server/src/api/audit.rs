//! The audit trail, for the admin.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_store::AuditFilter;

use super::{Reply, limit, page, reply};
use crate::AppState;
use crate::auth::Caller;
use crate::http::{ApiError, ApiQuery};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    entity_type: Option<String>,
    entity_id: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    /// `oldest` (default: the chain's order) or `newest` first.
    order: Option<String>,
    limit: Option<i64>,
    cursor: Option<i64>,
}

/// `GET /api/v1/audit` (admin)
pub async fn list(
    State(app): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let limit = limit(q.limit)?;
    let newest_first = match q.order.as_deref() {
        None | Some("oldest") => false,
        Some("newest") => true,
        Some(_) => {
            return Err(ApiError::invalid(
                "order",
                "unknown_value",
                "oldest or newest",
            ));
        }
    };
    // The cursor is the last seq seen; newest first, the next page is below it.
    let filter = AuditFilter {
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        actor: q.actor,
        action: q.action,
        after_seq: if newest_first {
            0
        } else {
            q.cursor.unwrap_or(0)
        },
        before_seq: q.cursor.filter(|_| newest_first),
        newest_first,
        limit,
    };
    let events = app.store.audit_events(&filter).await?;
    let next = (events.len() as i64 == limit)
        .then(|| events.last().map(|e| e.seq.to_string()))
        .flatten();
    reply(StatusCode::OK, &page(events, next))
}

/// `GET /api/v1/audit/verify` (admin): walk the hash chain.
pub async fn verify(State(app): State<AppState>, caller: Caller) -> Result<Reply, ApiError> {
    caller.require(&[Role::Admin])?;
    let report = app.store.verify_audit_chain().await?;
    reply(StatusCode::OK, &report)
}
