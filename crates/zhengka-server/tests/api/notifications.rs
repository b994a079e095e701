//! Reminders and notifications: the 90-day reminder once however often the
//! sweep runs (and when two run at once), the on-site deadline reminders,
//! events becoming the holder's notifications through the outbox, the unread
//! count and marking read (another holder's is 404).

use chrono::{DateTime, Days, Utc};
use serde_json::{Value, json};
use zhengka_domain::ecard::reminders::Deadlines;
use zhengka_domain::permits::permit::{OnsiteCheck, Permit, PermitNumber};
use zhengka_server::jobs::sweep_reminders;
use zhengka_store::prelude::*;
use zhengka_store::{Audit, Write};

use crate::card_side::Cast;
use crate::helpers::*;

impl TestApp {
    /// Change the stored permit of `permit` (a test's shortcut to a date).
    pub async fn edit_permit(&self, permit: &Value, edit: impl FnOnce(&mut Permit)) {
        let n = PermitNumber::parse(permit["permit_number"].as_str().unwrap()).unwrap();
        let mut p = self.store.get_permit(&n).await.unwrap();
        edit(&mut p);
        let audit = Audit {
            at: Utc::now(),
            actor: "test".into(),
            action: "test.permit_edited",
            entity_type: "permit",
            entity_id: n.to_string(),
            details: json!({}),
        };
        self.store
            .update_permit(&p, Write::new(audit))
            .await
            .unwrap();
    }

    /// A registered holder whose permit ends `days` from today; (permit, token).
    pub async fn holder_ending_in(&self, c: &Cast, passport: &str, days: u64) -> (Value, String) {
        let permit = self.holder(c, passport, None).await;
        let end = Utc::now().date_naive() + Days::new(days);
        self.edit_permit(&permit, |p| p.valid_to = end).await;
        let token = self.registered_holder(&permit).await;
        (permit, token)
    }

    pub async fn notifications(&self, token: &str, query: &str) -> Value {
        let r = self
            .get(&format!("/api/v1/ecard/notifications{query}"), token)
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }

    pub async fn sweep_reminders(&self) -> Value {
        let r = self
            .post("/api/v1/admin/sweep-reminders", &self.admin, &json!(null))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        r.body
    }
}

pub fn kinds(list: &Value) -> Vec<String> {
    let items = list["items"].as_array().unwrap();
    items
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_90_day_reminder_comes_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, token) = app.holder_ending_in(&c, "NT0000001", 85).await;
        assert_eq!(
            app.sweep_reminders().await,
            json!({ "holders": 1, "created": 1 })
        );
        let list = app.notifications(&token, "").await;
        assert_eq!(kinds(&list), ["permit_expiry_90"]);
        assert_eq!(list["unread"], 1);
        assert_eq!(
            app.get("/api/v1/ecard", &token).await.body["unread_notifications"],
            1
        );
        let item = &list["items"][0];
        let n = permit["permit_number"].as_str().unwrap();
        let due = Utc::now().date_naive() + Days::new(85) - Days::new(90);
        assert_eq!(item["due_on"], json!(due));
        // The holder registered in Chinese (the default); the number's last 4 only.
        assert!(item["body"].as_str().unwrap().contains(&n[n.len() - 4..]));
        assert!(!item["body"].as_str().unwrap().contains(n));
        assert_eq!(
            app.sweep_reminders().await,
            json!({ "holders": 1, "created": 0 })
        );
        assert_eq!(kinds(&app.notifications(&token, "").await).len(), 1);
        // 60 days on, the 30-day one (its day passed 5 days before) and no other.
        let later = Utc::now() + chrono::Duration::days(60);
        let swept = sweep_reminders(app.store.as_ref(), later).await.unwrap();
        assert_eq!((swept.holders, swept.created), (1, 1));
        assert_eq!(
            kinds(&app.notifications(&token, "").await),
            ["permit_expiry_30", "permit_expiry_90"]
        );
    })
    .await;
}

#[tokio::test]
async fn the_onsite_deadline_reminds_7_and_1_days_before() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, token) = app.holder_ending_in(&c, "NT0000002", 700).await;
        let today = Utc::now().date_naive();
        let due_by = today + Days::new(5);
        app.edit_permit(&permit, |p| {
            p.onsite = OnsiteCheck::Due {
                entry_date: today - Days::new(25),
                due_by,
            };
        })
        .await;
        // The sweep reads the deadlines from the permit's columns: the same
        // as the sealed record's.
        let number = PermitNumber::parse(permit["permit_number"].as_str().unwrap()).unwrap();
        let stored = Deadlines::of(&app.store.get_permit(&number).await.unwrap());
        let window = zhengka_store::DueWindow::Onsite {
            from: today,
            to: today + Days::new(7),
        };
        let page = app
            .store
            .reminder_candidates(window, None, 10)
            .await
            .unwrap();
        let read: Vec<_> = page.items.iter().map(|c| &c.deadlines).collect();
        assert_eq!(read, [&stored]);
        assert_eq!(stored.onsite_due_by, Some(due_by));
        assert_eq!(app.sweep_reminders().await["created"], 1);
        let day = |n: i64| -> DateTime<Utc> { Utc::now() + chrono::Duration::days(n) };
        assert_eq!(
            sweep_reminders(app.store.as_ref(), day(3))
                .await
                .unwrap()
                .created,
            0
        );
        assert_eq!(
            sweep_reminders(app.store.as_ref(), day(4))
                .await
                .unwrap()
                .created,
            1
        );
        assert_eq!(
            sweep_reminders(app.store.as_ref(), day(6))
                .await
                .unwrap()
                .created,
            0,
            "past the deadline"
        );
        let list = app.notifications(&token, "").await;
        assert_eq!(kinds(&list), ["onsite_due_1", "onsite_due_7"]);
        assert_eq!(list["items"][0]["due_on"], json!(due_by - Days::new(1)));
    })
    .await;
}

#[tokio::test]
async fn two_sweeps_at_once_make_each_reminder_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, a) = app.holder_ending_in(&c, "NT0000003", 80).await;
        let (_, b) = app.holder_ending_in(&c, "NT0000004", 20).await;
        let other = app.another_state().await;
        let now = Utc::now();
        let (x, y) = tokio::join!(
            sweep_reminders(app.store.as_ref(), now),
            sweep_reminders(other.store.as_ref(), now)
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x.created + y.created, 2, "{x:?} {y:?}");
        assert_eq!(
            kinds(&app.notifications(&a, "").await),
            ["permit_expiry_90"]
        );
        assert_eq!(
            kinds(&app.notifications(&b, "").await),
            ["permit_expiry_30"]
        );
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ecard_deliveries")
            .fetch_one(&app.raw().await)
            .await
            .unwrap();
        assert_eq!(rows, 2, "one delivery per notification");
    })
    .await;
}

#[tokio::test]
async fn unread_count_mark_read_and_not_yours() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, a) = app.holder_ending_in(&c, "NT0000005", 85).await;
        let (_, b) = app.holder_ending_in(&c, "NT0000006", 85).await;
        app.sweep_reminders().await;
        let mine = app.notifications(&a, "").await;
        let id = mine["items"][0]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/ecard/notifications/{id}/read");
        let r = app.post(&path, &b, &json!(null)).await;
        assert_eq!(
            (r.status, r.error().0),
            (404, "not_found"),
            "another holder's"
        );
        let r = app.post(&path, &app.admin, &json!(null)).await;
        assert_eq!(r.status, 403, "staff have no notifications");
        assert_eq!(app.notifications(&b, "").await["unread"], 1);
        let r = app.post(&path, &a, &json!(null)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let read_at = r.body["read_at"].clone();
        assert!(read_at.is_string());
        let again = app.post(&path, &a, &json!(null)).await;
        assert_eq!(again.body["read_at"], read_at, "read once");
        let list = app.notifications(&a, "").await;
        assert_eq!(
            (
                list["unread"].as_i64(),
                list["items"].as_array().unwrap().len()
            ),
            (Some(0), 1)
        );
        assert!(
            app.notifications(&a, "?unread=true").await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let actions = app.audit_actions().await;
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "ecard.notification_read")
                .count(),
            1
        );
        for (bad, field) in [
            ("?limit=0", "limit"),
            ("?cursor=nonsense", "cursor"),
            ("?unread=maybe", "unread"),
        ] {
            let r = app
                .get(&format!("/api/v1/ecard/notifications{bad}"), &a)
                .await;
            assert_eq!(r.status, 422, "{bad}: {:?}", r.body);
            assert_eq!(r.error().1, Some(field), "{bad}: {:?}", r.body);
        }
        let r = app.get("/api/v1/ecard/notifications?colour=red", &a).await;
        assert_eq!((r.status, r.error().0), (422, "invalid_query"));
        let r = app
            .post(
                "/api/v1/ecard/notifications/no-such-id/read",
                &a,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 404);
    })
    .await;
}

#[tokio::test]
async fn the_list_pages_newest_first() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, token) = app.holder_ending_in(&c, "NT0000007", 85).await;
        app.sweep_reminders().await;
        sweep_reminders(app.store.as_ref(), Utc::now() + chrono::Duration::days(60))
            .await
            .unwrap();
        sweep_reminders(app.store.as_ref(), Utc::now() + chrono::Duration::days(80))
            .await
            .unwrap();
        let first = app.notifications(&token, "?limit=2").await;
        assert_eq!(kinds(&first), ["permit_expiry_7", "permit_expiry_30"]);
        let cursor = first["next_cursor"].as_str().unwrap();
        let rest = app
            .notifications(&token, &format!("?limit=2&cursor={}", urlencode(cursor)))
            .await;
        assert_eq!(kinds(&rest), ["permit_expiry_90"]);
        assert_eq!(rest["next_cursor"], Value::Null);
        assert_eq!(rest["unread"], 3);
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B")
        .replace(':', "%3A")
        .replace('|', "%7C")
}

/// The sweep's keyset pages, two holders a page over five, three of them
/// ending on one day: each holder once, by (end, permit number), whatever
/// page boundary falls between equal days.
#[tokio::test]
async fn reminder_candidates_page_through_equal_deadlines_once_each() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut expected = Vec::new();
        for (i, days) in [40u64, 20, 40, 40, 60].into_iter().enumerate() {
            let (permit, _) = app
                .holder_ending_in(&c, &format!("NP000000{i}"), days)
                .await;
            let n = permit["permit_number"].as_str().unwrap().to_owned();
            expected.push((days, n));
        }
        expected.sort();
        let today = Utc::now().date_naive();
        let window = zhengka_store::DueWindow::Expiry {
            from: today,
            to: today + Days::new(90),
        };
        let (mut seen, mut after, mut pages) = (Vec::new(), None, 0);
        loop {
            let page = app
                .store
                .reminder_candidates(window, after, 2)
                .await
                .unwrap();
            pages += 1;
            for c in &page.items {
                let days = (c.deadlines.valid_to - today).num_days() as u64;
                seen.push((days, c.deadlines.permit_number.clone()));
            }
            match page.next_cursor {
                Some(cursor) => after = Some(cursor),
                None => break,
            }
        }
        assert_eq!(seen, expected);
        assert_eq!(pages, 3);
    })
    .await;
}
