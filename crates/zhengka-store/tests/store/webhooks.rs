//! Webhook subscriptions and deliveries in storage: the secret sealed (never
//! in clear in the database or an export) and opened again after an import
//! on the other backend; an event queued twice for a subscriber is one row.

use zhengka_domain::events::{DomainEvent, EventData};
use zhengka_domain::ids::RegionCode;
use zhengka_domain::verification::webhooks::{DeliveryStatus, Subscription};
use zhengka_store::prelude::*;
use zhengka_store::testing;
use zhengka_store::{Delivery, SqlStore, StoreError, Vault};

use crate::fixtures::*;

const SECRET: &str = "whsec_0123456789abcdef0123456789abcdef";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sealed_secret_travels_with_an_export_and_an_event_queues_once() {
    let key = Vault::generate_key_material();
    let source_db = testing::sqlite();
    let open = |url: String| async move {
        SqlStore::connect(&url, Vault::from_key_material(&key).unwrap())
            .await
            .unwrap()
    };
    let source = open(source_db.url.clone()).await;
    let s = Subscription {
        id: "sub-1".into(),
        name: "Bureau".into(),
        url: "http://127.0.0.1:9/in".into(),
        event_types: vec!["permit.cancelled".into()],
        organisation_id: None,
        active: true,
        created_at: at(0),
        updated_at: at(0),
    };
    source
        .insert_subscription(
            &s,
            SECRET,
            write("webhook.subscribed", "webhook_subscription", "sub-1"),
        )
        .await
        .unwrap();
    assert_eq!(source.get_subscription("sub-1").await.unwrap(), s);
    let event = DomainEvent::new(
        "ev-1".into(),
        at(1),
        RegionCode::parse("440100").unwrap(),
        EventData::PermitCancelled {
            permit_number: "4401000000000000042".into(),
            ended_on: at(1).date_naive(),
        },
    );
    source
        .record_event(write("permit.cancelled", "permit", "p").with_event(event))
        .await
        .unwrap();
    let seq = source
        .pending_events("agency_webhooks", &["permit.cancelled"], 10)
        .await
        .unwrap()[0]
        .seq;
    let ids = ["sub-1".to_owned()];
    let queue = || {
        let mut w = write("webhook.deliveries_queued", "outbox_event", "ev-1");
        w.delivery = Some(Delivery {
            subscriber: "agency_webhooks",
            event_id: "ev-1".into(),
            seq,
        });
        source.queue_webhook_deliveries("ev-1", "permit.cancelled", &ids, w)
    };
    queue().await.unwrap();
    assert!(matches!(queue().await, Err(StoreError::Conflict { .. })));
    let page = source
        .list_webhook_deliveries("sub-1", Some(DeliveryStatus::Pending), None, 10)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1, "queued once");

    let mut dump = vec![];
    source.export(&mut dump).await.unwrap();
    assert!(
        !dump.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
        "the secret in clear in an export"
    );
    let file = std::fs::read(source_db.url.strip_prefix("sqlite://").unwrap()).unwrap();
    assert!(!file.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));

    let target_db = match testing::postgres().await {
        Some(pg) => pg,
        None => testing::sqlite(),
    };
    let target = open(target_db.url.clone()).await;
    target.import(dump.as_slice()).await.unwrap();
    let due = target.due_webhook_deliveries(at(10), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].secret.as_str(), due[0].url.as_str()),
        (SECRET, s.url.as_str())
    );
    assert!(due[0].payload.contains("\"permit.cancelled\""));
    assert!(
        !format!("{:?}", due[0]).contains(SECRET),
        "the secret never prints"
    );
}
