//! Events becoming the holder's notifications through the outbox: the card
//! made and shipped (not lost), the permit cancelled; once however often the
//! event is delivered; nothing for a permit without a holder account.

use serde_json::{Value, json};
use zhengka_server::jobs::dispatch_once;
use zhengka_store::StoreError;
use zhengka_store::prelude::*;

use crate::card_side::Cast;
use crate::helpers::*;
use crate::notifications::kinds;

/// Apply for a card and take it through a batch and its return file: the
/// card is produced.
async fn produced_card(app: &TestApp, c: &Cast, ssn: &str) -> String {
    let card = app.apply_card(c, ssn).await;
    let b = app
        .post("/api/v1/card-batches", &c.card, &json!(null))
        .await;
    assert_eq!(b.status, 201, "{:?}", b.body);
    let batch = b.body["manifest"]["batch_id"].as_str().unwrap().to_owned();
    let ret = format!(
        "{{\"card_number\":\"{card}\",\"chip_serial\":\"CHIP00000009\",\"bank_account\":\"4111111111111111\"}}\n"
    );
    let res = app
        .client
        .post(format!("{}/api/v1/card-batches/{batch}/result", app.base))
        .bearer_auth(&c.card)
        .header("content-type", "application/x-ndjson")
        .body(ret)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    card
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.raw().await)
        .await
        .unwrap()
}

#[tokio::test]
async fn card_and_permit_events_notify_the_holder_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit: Value = app.holder(&c, "NE0000001", None).await;
        let token = app.registered_holder(&permit).await;
        let r = app.enrol(&c, &permit).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let ssn = r.body["ssn"].as_str().unwrap().to_owned();
        let card = produced_card(&app, &c, &ssn).await;
        let r = app
            .card_event(
                &c,
                &card,
                json!({ "type": "shipped", "courier": "EMS", "tracking_number": "EMS000111333" }),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = app
            .card_event(
                &c,
                &card,
                json!({ "type": "lost", "note": "lost on the metro" }),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        app.dispatch().await;
        assert_eq!(
            kinds(&app.notifications(&token, "").await),
            ["card_shipped", "card_produced"],
            "a loss the holder reported is no news to them"
        );

        let n = permit["permit_number"].as_str().unwrap().to_owned();
        app.cancel(&c, &n).await;
        // Two dispatchers at once (two instances): each event notifies once.
        let other = app.another_state().await;
        let now = chrono::Utc::now();
        let (x, y) = tokio::join!(
            dispatch_once(app.store.as_ref(), now),
            dispatch_once(other.store.as_ref(), now)
        );
        // The loser of another subscriber's versioned update gives up its
        // pass (retried next pass); anything else is a failure.
        for r in [x, y] {
            assert!(
                matches!(r, Ok(_) | Err(StoreError::Conflict { .. })),
                "{r:?}"
            );
        }
        app.dispatch().await;
        let list = app.notifications(&token, "").await;
        let got = kinds(&list);
        assert_eq!(
            got.iter().filter(|k| *k == "permit_cancelled").count(),
            1,
            "{got:?}"
        );
        assert_eq!(
            got.iter().filter(|k| *k == "insurance_ended").count(),
            1,
            "{got:?}"
        );
        assert_eq!(got.len(), 4, "{got:?}");
        let body = list["items"][0]["body"].as_str().unwrap();
        assert!(
            !body.contains(&n) && !body.contains(&card) && !body.contains(&ssn),
            "{body}"
        );
    })
    .await;
}

#[tokio::test]
async fn events_of_permits_without_a_holder_notify_nobody() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "NE0000002", None).await;
        app.cancel(&c, permit["permit_number"].as_str().unwrap())
            .await;
        app.dispatch().await;
        assert_eq!(count(&app, "ecard_notifications").await, 0);
        let cursor: i64 = sqlx::query_scalar(
            "SELECT last_seq FROM outbox_cursors WHERE subscriber = 'ecard_notifications'",
        )
        .fetch_one(&app.raw().await)
        .await
        .unwrap();
        assert!(cursor > 0, "the events were seen and skipped");
        assert!(
            app.store
                .outbox_lag("ecard_notifications", &["permit.cancelled"])
                .await
                .unwrap()
                == 0
        );
    })
    .await;
}
