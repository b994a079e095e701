//! One open e-card account per person, enforced in the write: two
//! registrations of one person passing the real-person step at the same
//! moment make one account (16 racing pairs, each backend).

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn two_real_person_passes_at_once_open_one_account() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        for i in 0..16 {
            let permit = app.holder(&c, &format!("ER{i:07}"), None).await;
            let body =
                json!({ "name": permit["holder_name"], "permit_number": permit["permit_number"] });
            let a = app.start_registration("198.51.100.20", body.clone()).await;
            let b = app.start_registration("198.51.100.21", body).await;
            let (a, b) = (
                a.body["registration_id"].as_str().unwrap().to_owned(),
                b.body["registration_id"].as_str().unwrap().to_owned(),
            );
            let (ra, rb) = tokio::join!(app.real_person(&a, "pass"), app.real_person(&b, "pass"));
            let mut statuses = [ra.status, rb.status];
            statuses.sort();
            assert_eq!(
                statuses,
                [201, 409],
                "pair {i}: {:?} {:?}",
                ra.body,
                rb.body
            );
            let loser = if ra.status == 409 { &ra } else { &rb };
            assert_eq!(loser.error().0, "already_registered");
        }
        let raw = app.raw().await;
        let (open,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM ecard_holders WHERE status = 'active'")
                .fetch_one(&raw)
                .await
                .unwrap();
        let (users,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'foreigner'")
                .fetch_one(&raw)
                .await
                .unwrap();
        assert_eq!((open, users), (16, 16), "no half-made account");
    })
    .await;
}
