//! Publishing every outbox event to NATS JetStream, on subject
//! `zhengka.<region>.<type>` with the event id as `Nats-Msg-Id`. It keeps its
//! own outbox cursor (`nats_publication`), moved only after JetStream
//! acknowledged the event: a failed publish stops this pass and is tried
//! again next pass, in order, and holds up no other subscriber. A crash
//! between the ack and the cursor publishes the event again; JetStream drops
//! the repeat by its id (within the stream's duplicate window, 2 minutes by
//! default).

use zhengka_domain::events::EVENT_TYPES;
use zhengka_store::{Delivery, Store, StoreError};

use crate::providers::nats::Nats;

/// The outbox cursor of the publication.
pub const NATS_SUBSCRIBER: &str = "nats_publication";
const BATCH: i64 = 100;

/// What one pass did: events acknowledged, and the error that stopped it.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    pub published: usize,
    pub error: Option<String>,
}

pub async fn publish_to_nats(store: &dyn Store, nats: &Nats) -> Result<Published, StoreError> {
    let mut done = Published::default();
    loop {
        let batch = store
            .pending_events(NATS_SUBSCRIBER, &EVENT_TYPES, BATCH)
            .await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for entry in batch {
            let e = &entry.event;
            // The payload as the outbox holds it: the same JSON the webhooks get.
            let body = serde_json::to_vec(e)?;
            let subject = nats.event_subject(e.region.as_str(), e.data.type_name());
            if let Err(error) = nats.publish(&subject, &e.id, &body).await {
                tracing::warn!(event = %e.id, %error, "NATS publication failed; retried next pass");
                done.error = Some(error);
                return Ok(done);
            }
            let d = Delivery {
                subscriber: NATS_SUBSCRIBER,
                event_id: e.id.clone(),
                seq: entry.seq,
            };
            store.skip_event(d).await?;
            done.published += 1;
        }
    }
}
