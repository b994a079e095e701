use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_store::{Audit, Store, StoreError, Write};

/// Expire permits past their last day, suspend those whose on-site check is
/// overdue, revoke those still unchecked after the grace period. Returns how many
/// permits changed. Safe to run twice: a permit already in its due status is left.
pub async fn sweep_permit_deadlines(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let today = now.date_naive();
    let mut changed = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store
            .list_permits(None, None, after.as_deref(), 200)
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.permit_number.to_string());
        for mut permit in page {
            let Some(due) = permit.status_due(today) else {
                continue;
            };
            let from = permit.status;
            permit.status = due;
            let audit = Audit {
                at: now,
                actor: "system".into(),
                action: "permit.status_changed",
                entity_type: "permit",
                entity_id: permit.permit_number.to_string(),
                details: json!({ "from": from.as_str(), "to": due.as_str(), "reason": "deadline" }),
            };
            let mut write = Write::new(audit);
            write.events = crate::events::permit_events(Some(from), &permit, None, now);
            match store.update_permit(&permit, write).await {
                Ok(()) => changed += 1,
                // Someone changed it meanwhile; the next sweep looks again.
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(changed)
}
