use chrono::{DateTime, Utc};
use serde_json::json;
use zhengka_domain::permits::application::ApplicationStatus;
use zhengka_domain::permits::application::workflow::{self, HistoryAction, HistoryEntry};
use zhengka_store::{ApplicationFilter, Audit, Store, StoreError, Write};

/// The go-live cut-over: every application still under review goes back to
/// preliminary review for re-approval (and shows in the employer's work in
/// progress). Returns how many applications it moved.
pub async fn cut_over(
    store: &dyn Store,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let statuses: Vec<_> = ApplicationStatus::ALL
        .into_iter()
        .filter(|s| s.is_under_review())
        .collect();
    let mut moved = 0;
    let mut after = None;
    loop {
        let filter = ApplicationFilter {
            statuses: statuses.clone(),
            after: after.clone(),
            limit: 200,
            ..Default::default()
        };
        let page = store.list_applications(&filter).await?;
        for mut a in page.items {
            // Once per application: running the cut-over again changes nothing.
            let Some(to) = workflow::cut_over(a.status).filter(|_| !a.cut_over) else {
                continue;
            };
            let from = a.status;
            a.status = to;
            a.cut_over = true;
            a.history.push(HistoryEntry {
                at: now,
                actor: actor.to_owned(),
                action: HistoryAction::CutOver,
                from: Some(from),
                to,
                comment: None,
            });
            a.version += 1;
            a.updated_at = now;
            let audit = Audit {
                at: now,
                actor: actor.to_owned(),
                action: "application.cut_over",
                entity_type: "application",
                entity_id: a.id.clone(),
                details: json!({ "from": from.as_str(), "to": to.as_str() }),
            };
            match store.update_application(&a, None, Write::new(audit)).await {
                Ok(()) => moved += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    Ok(moved)
}
