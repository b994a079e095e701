//! The holder's notifications page: over plain HTTP (for the holder only,
//! CSRF on marking read, another holder's notification 404) and in a real
//! browser in both languages at 360 px, with axe-core.

use chrono::{Days, Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;
use zhengka_domain::ecard::{
    Holder, HolderStatus, RealPersonResult, RealPersonSource, Registration, RegistrationPurpose,
};
use zhengka_domain::employer::{Role, User};
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_server::auth::password;
use zhengka_server::jobs::sweep_reminders;
use zhengka_store::prelude::*;
use zhengka_store::{Audit, Write};

use crate::browser::{self, text};
use crate::card_pages::{csrf_of, get, post};
use crate::http::{client, signed_in};
use crate::server::{OFFICER, PASSWORD, Server};

const LIST: &str = "/web/ecard/notifications";

fn audit(action: &'static str) -> Write {
    Write::new(Audit {
        at: Utc::now(),
        actor: "test".into(),
        action,
        entity_type: "test",
        entity_id: "x".into(),
        details: json!({}),
    })
}

/// A registered holder whose permit ends in 85 days, with the 90-day and the
/// 30-day reminder (the sweep run today and in 60 days); the username.
async fn holder(s: &Server, passport: &str, lang: &str) -> String {
    let approved = s.approved_from_abroad(passport).await;
    let n = PermitNumber::parse(approved["permit_number"].as_str().unwrap()).unwrap();
    let mut p = s.store.get_permit(&n).await.unwrap();
    p.valid_to = Utc::now().date_naive() + Days::new(85);
    s.store
        .update_permit(&p, audit("test.permit_edited"))
        .await
        .unwrap();
    // Opened through the store: these pages' server has no real-person provider.
    let now = Utc::now();
    let hash = password::hash(PASSWORD.into()).await.unwrap();
    let mut r = Registration::new(
        format!("r-{passport}"),
        n.clone(),
        RegistrationPurpose::Register,
        hash,
        now,
    );
    r.lang = lang.into();
    s.store
        .insert_registration(&r, audit("test.registration"))
        .await
        .unwrap();
    let user = User {
        id: format!("u-{passport}"),
        username: Holder::username_for(&n),
        role: Role::Foreigner,
        employer_id: None,
        region_code: None,
        created_at: now,
    };
    let h = Holder {
        id: format!("h-{passport}"),
        user_id: user.id.clone(),
        permit_number: n,
        status: HolderStatus::Active,
        real_person: RealPersonResult {
            source: RealPersonSource::Demo,
            score: 1.0,
            request_id: "t".into(),
            checked_at: now,
        },
        lang: lang.into(),
        created_at: now,
        closed_at: None,
    };
    s.store
        .open_holder(&r, &h, &user, audit("test.holder"))
        .await
        .unwrap();
    sweep_reminders(s.store.as_ref(), now).await.unwrap();
    sweep_reminders(s.store.as_ref(), now + Duration::days(60))
        .await
        .unwrap();
    user.username
}

fn read_forms(html: &str) -> Vec<String> {
    html.split("action=\"/web/ecard/notifications/")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|a| format!("/web/ecard/notifications/{a}"))
        .collect()
}

#[tokio::test]
async fn the_page_is_the_holders_own_and_marks_read_with_the_token() {
    let s = Server::spawn().await;
    s.cast().await;
    let a = holder(&s, "WN0000001", "en").await;
    let b = holder(&s, "WN0000002", "en").await;
    let c = client();
    let officer = signed_in(&s, &c, OFFICER).await;
    assert_eq!(get(&s, &c, &officer, LIST).await.0, StatusCode::FORBIDDEN);
    let mine = signed_in(&s, &c, &a).await;
    let (status, html) = get(&s, &c, &mine, LIST).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&text("en", "notifications.unread_count").replace("{n}", "2")),
        "{html}"
    );
    let forms = read_forms(&html);
    assert_eq!(forms.len(), 2);
    let csrf = csrf_of(&html);
    let (status, _) = post(&s, &c, &mine, &forms[0], &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, no change");
    let theirs = signed_in(&s, &c, &b).await;
    let their_html = get(&s, &c, &theirs, LIST).await.1;
    let (status, _) = post(
        &s,
        &c,
        &theirs,
        &forms[0],
        &[("csrf", &csrf_of(&their_html))],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another holder's");
    let (status, to) = post(&s, &c, &mine, &forms[0], &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(to.starts_with(LIST) && to.contains("#n-"), "{to}");
    let html = get(&s, &c, &mine, LIST).await.1;
    assert!(html.contains(&text("en", "notifications.unread_count").replace("{n}", "1")));
    assert_eq!(read_forms(&html).len(), 1);
}

#[tokio::test]
async fn the_notifications_page_in_both_languages_on_a_phone() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    for (lang, passport) in [("en", "WN0000003"), ("zh-CN", "WN0000004")] {
        let username = holder(&s, passport, "zh").await;
        b.goto(&s.url("/web/sign-in")).await;
        b.go(&format!("a[hreflang='{lang}']")).await;
        b.resize(360, 740).await;
        b.sign_in(&s.base, &username).await;
        b.goto(&s.url(LIST)).await;
        assert_eq!(b.text("h1").await, text(lang, "notifications.title"));
        let marks = b.text("#notifications").await;
        assert!(
            marks.contains(&text(lang, "notifications.unread")),
            "{marks}"
        );
        b.axe(&format!("notifications {lang}")).await;
        b.go("#notifications li.unread button").await;
        let count = b.text("#unread-count").await;
        assert_eq!(
            count,
            text(lang, "notifications.unread_count").replace("{n}", "1")
        );
        b.axe(&format!("notifications after one read {lang}")).await;
        b.screenshot(&format!("notifications-phone-{lang}")).await;
        b.sign_out().await;
    }
    b.finish().await;
}
