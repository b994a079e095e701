//! The cached status lists (list 3 here; lists 1 and 2 share the cache): a
//! revocation shows in this instance's next list at once, and in another
//! instance's within the recheck interval (the database's change counter).

use std::time::Duration;

use sqlx::Row;
use zhengka_credential::{Status, StatusList};

use crate::ecard_devices::device_key;
use crate::helpers::*;

async fn device_index(app: &TestApp, id: &str) -> u32 {
    let row = sqlx::query("SELECT status_index FROM ecard_devices WHERE id = $1")
        .bind(id)
        .fetch_one(&app.raw().await)
        .await
        .unwrap();
    u32::try_from(row.try_get::<i64, _>("status_index").unwrap()).unwrap()
}

#[tokio::test]
async fn a_revoked_device_shows_in_the_next_list_here_and_on_another_instance() {
    each_backend(|app| async move {
        let other = app.another_server().await;
        let c = app.card_cast().await;
        let permit = app.holder(&c, "DV0000031", None).await;
        let token = app.registered_holder(&permit).await;
        let (_, public) = device_key();
        let bound = app.bind(&token, &public, "Phone").await.body;
        let id = bound["device_id"].as_str().unwrap().to_owned();
        let idx = device_index(&app, &id).await;
        let (trust, here) = app.device_lists().await;
        let at_other = || async {
            let bytes = app
                .client
                .get(format!("{other}/api/v1/status-lists/3"))
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            StatusList::from_token(&bytes, &trust)
                .unwrap()
                .bits
                .get(idx)
        };
        assert_eq!(here.bits.get(idx), Some(Status::Valid));
        // The other instance builds and caches its list now.
        assert_eq!(at_other().await, Some(Status::Valid));

        let r = app
            .delete(&format!("/api/v1/ecard/devices/{id}"), &token)
            .await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        let (_, here) = app.device_lists().await;
        assert_eq!(here.bits.get(idx), Some(Status::Revoked), "here at once");
        // The other's cache holds for 30 s; the change counter cuts that to
        // the recheck interval.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        assert_eq!(
            at_other().await,
            Some(Status::Revoked),
            "there within a second"
        );
    })
    .await;
}
