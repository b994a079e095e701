//! The admin's federation page, `/web/admin/peers`, over plain HTTP on every
//! backend: pinning a peer (a wrong field said at the field in the page's
//! language, nothing stored), refreshing one that cannot be reached (the
//! error shown), removing one; others refused. Then a real two-region
//! refresh (Shanghai pins Guangdong), and the page in Chromium in both
//! languages with axe at 1280 and 390 px.

use reqwest::{Client, StatusCode};
use zhengka_credential::{Algorithm, SigningKey, anchor_text};
use zhengka_server::Config;
use zhengka_store::prelude::*;
use zhengka_store::testing;

use crate::browser::{self, Browser, text};
use crate::check_pages::{esc, get, value_of};
use crate::http::{client, signed_in};
use crate::server::Server;

const PAGE: &str = "/web/admin/peers";
/// Nothing listens on port 1: a peer there cannot be reached.
const NOWHERE: &str = "http://127.0.0.1:1";

fn has(html: &str, id: &str) -> bool {
    html.contains(&format!("id=\"{id}\""))
}

/// Another region's trust anchor, as its `trust-anchor.pub` gives it.
fn some_anchor() -> String {
    anchor_text(SigningKey::generate(Algorithm::Es256).unwrap().public_key())
}

/// POST a form with the page in `lang`.
async fn post_in(
    s: &Server,
    c: &Client,
    cookie: &str,
    path: &str,
    lang: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = c
        .post(s.url(path))
        .header("cookie", cookie)
        .header("accept-language", lang)
        .form(form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status(), location, r.text().await.unwrap())
}

/// POST the add form (owned values) in `lang`.
async fn send(
    s: &Server,
    c: &Client,
    cookie: &str,
    lang: &str,
    form: &[(&str, String)],
) -> (StatusCode, String, String) {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_in(s, c, cookie, PAGE, lang, &form).await
}

/// The id of the first peer listed.
fn first_peer(html: &str) -> String {
    let rest = html.split("class=\"peer\" id=\"peer-").nth(1);
    rest.and_then(|r| r.split('"').next()).unwrap().to_owned()
}

#[tokio::test]
async fn the_admin_pins_refreshes_and_removes_a_peer_on_every_backend() {
    for db in testing::all().await {
        eprintln!("-- backend: {}", db.backend);
        let s = Server::spawn_on(db, Config::default()).await;
        s.staff("officer.gd", "permit_officer", "440000").await;
        let c = client();
        // No session: sign in first, then back here.
        let r = c.get(s.url(PAGE)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            r.headers()["location"],
            "/web/sign-in?next=/web/admin/peers"
        );
        let officer = signed_in(&s, &c, "officer.gd").await;
        let (status, _) = get(&s, &c, &officer, PAGE, "en").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let admin = signed_in(&s, &c, "admin").await;
        let (status, html) = get(&s, &c, &admin, PAGE, "en").await;
        assert_eq!(status, StatusCode::OK);
        assert!(has(&html, "peers-none"), "{html}");
        assert!(html.contains("href=\"/web/admin/peers\" aria-current=\"page\""));
        let (_, zh) = get(&s, &c, &admin, PAGE, "zh-CN").await;
        assert!(zh.contains(&text("zh", "peers.title")));
        let csrf = value_of(&html, "csrf");
        let anchor = some_anchor();
        let form = |region: &str, anchor: &str, url: &str, age: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("region_code", region.to_owned()),
                ("name", "Shanghai".to_owned()),
                ("anchor", anchor.to_owned()),
                ("url", url.to_owned()),
                ("max_age_seconds", age.to_owned()),
            ]
        };

        // Wrong input: said at its field, in the page's language, typed
        // values kept, nothing stored.
        let (status, _, html) =
            send(&s, &c, &admin, "en", &form("31000", "ES256:00", "", "")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has(&html, "f-region_code-error"), "{html}");
        assert!(html.contains("value=\"31000\"") && html.contains("value=\"Shanghai\""));
        let (status, _, html) =
            send(&s, &c, &admin, "zh-CN", &form("310000", "nonsense", "", "")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has(&html, "f-anchor-error"), "{html}");
        assert!(
            html.contains(&esc(&text("zh", "error.invalid_anchor"))),
            "{html}"
        );
        assert!(html.contains("value=\"nonsense\""));
        let (status, _, html) = send(&s, &c, &admin, "en", &form("440000", "x", "", "")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            html.contains(&esc(&text("en", "error.own_region"))),
            "{html}"
        );
        let bad_age = form("310000", &anchor, "", "soon");
        let (status, _, html) = send(&s, &c, &admin, "en", &bad_age).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(has(&html, "f-max_age_seconds-error"), "{html}");
        assert!(s.store.peers().await.unwrap().is_empty(), "nothing stored");

        // Pinned at a URL that cannot be reached: listed with the error.
        let good = form("310000", &anchor, NOWHERE, "");
        let (status, location, _) = send(&s, &c, &admin, "en", &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/web/admin/peers?done=peer_pinned#peer-"));
        let (_, html) = get(&s, &c, &admin, "/web/admin/peers?done=peer_pinned", "en").await;
        assert!(html.contains(&esc(&text("en", "done.peer_pinned"))));
        assert!(html.contains("data-region=\"310000\"") && html.contains("Shanghai"));
        assert!(html.contains("127.0.0.1:1"), "{html}");
        let kid = anchor_kid(&anchor);
        assert!(html.contains(&format!("ES256 {kid}")), "{html}");
        assert!(html.contains(&esc(&text("en", "error.peer_unreachable"))));
        let id = first_peer(&html);
        assert_eq!(s.store.peers().await.unwrap().len(), 1);
        // A second pin of the region: said at the region.
        let (status, _, html) = send(&s, &c, &admin, "en", &good).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(&esc(&text("en", "error.peer_exists"))));
        assert!(has(&html, "f-region_code-error"));

        // Refresh now: still unreachable, shown in Chinese.
        let path = format!("{PAGE}/{id}/refresh");
        let plain = [("csrf", csrf.as_str())];
        let (status, _, html) = post_in(&s, &c, &admin, &path, "zh-CN", &plain).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(has(&html, "refresh-refused"), "{html}");
        assert!(html.contains("data-code=\"peer_unreachable\""));
        assert!(html.contains(&esc(&text("zh", "error.peer_unreachable"))));
        // Not for others.
        let (_, officer_page) = get(&s, &c, &officer, "/web/account", "en").await;
        let theirs = value_of(&officer_page, "csrf");
        let theirs = [("csrf", theirs.as_str())];
        let (status, _, _) = post_in(&s, &c, &officer, &path, "en", &theirs).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let remove = format!("{PAGE}/{id}/remove");
        let (status, _, _) = post_in(&s, &c, &officer, &remove, "en", &theirs).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(s.store.peers().await.unwrap().len(), 1);

        // Removed: gone.
        let (status, location, _) = post_in(&s, &c, &admin, &remove, "en", &plain).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/web/admin/peers?done=peer_removed");
        let (_, html) = get(&s, &c, &admin, &location, "en").await;
        assert!(has(&html, "peers-none") && !html.contains("data-region="));
        assert!(s.store.peers().await.unwrap().is_empty());
        let (status, _, _) = post_in(&s, &c, &admin, &remove, "en", &plain).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "removed already");
    }
}

fn anchor_kid(anchor: &str) -> String {
    let key = zhengka_credential::parse_anchor(anchor).unwrap();
    key.kid().0.iter().map(|b| format!("{b:02x}")).collect()
}

/// Guangdong (the default region) and Shanghai, each its own deployment.
async fn two_regions() -> (Server, Server) {
    let a = Server::spawn().await;
    let config = Config {
        issuer_region: "310000".into(),
        ..Config::default()
    };
    (a, Server::spawn_with(config).await)
}

#[tokio::test]
async fn shanghai_pins_guangdong_and_refreshes_its_lists() {
    let (a, b) = two_regions().await;
    let c = client();
    let admin = signed_in(&b, &c, "admin").await;
    let (_, html) = get(&b, &c, &admin, PAGE, "en").await;
    let csrf = value_of(&html, "csrf");
    let form = [
        ("csrf", csrf.clone()),
        ("region_code", "440000".into()),
        ("name", "Guangdong".into()),
        ("anchor", anchor_text(&a.anchor)),
        ("url", a.base.clone()),
        ("max_age_seconds", "600".into()),
    ];
    let (status, _, _) = send(&b, &c, &admin, "en", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = get(&b, &c, &admin, PAGE, "en").await;
    assert!(!html.contains("class=\"last-error\""), "{html}");
    let never = format!("class=\"fetched\">{}<", text("en", "peers.never"));
    assert!(!html.contains(&never), "fetched at once: {html}");
    let id = first_peer(&html);
    let path = format!("{PAGE}/{id}/refresh");
    let plain = [("csrf", csrf.as_str())];
    let (status, location, _) = post_in(&b, &c, &admin, &path, "en", &plain).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/web/admin/peers?done=peer_refreshed#peer-{id}")
    );
    let (_, html) = get(&b, &c, &admin, "/web/admin/peers?done=peer_refreshed", "en").await;
    assert!(html.contains(&esc(&text("en", "done.peer_refreshed"))));
    let lists = b.store.all_peer_status_lists().await.unwrap().len();
    assert!(lists > 0, "status lists kept");
    let peers = b.store.peers().await.unwrap();
    let seq = peers[0].trust_list.as_ref().unwrap().1;
    let held = text("en", "peers.held")
        .replace("{seq}", &seq.to_string())
        .replace("{n}", &lists.to_string());
    assert!(html.contains(&held), "{held} in {html}");
}

async fn both_widths(b: &Browser, page: &str) {
    b.resize(1280, 900).await;
    b.axe(page).await;
    b.resize(390, 844).await;
    b.axe(page).await;
}

#[tokio::test]
async fn the_peers_page_in_the_browser_in_both_languages() {
    let Some(b) = browser::start().await else {
        return;
    };
    let (a, s) = two_regions().await;
    b.resize(1280, 900).await;
    b.sign_in(&s.base, "admin").await;
    b.go("nav a[href='/web/admin/peers']").await;
    b.goto(&s.url("/web/lang/en?next=/web/admin/peers")).await;
    assert_eq!(b.text("h1").await, text("en", "peers.title"));
    assert!(b.exists("#peers-none").await);
    both_widths(&b, "peers (none, en)").await;
    b.resize(1280, 900).await;
    // A wrong anchor: said at the field, the rest kept.
    b.fill("#f-region_code", "440000").await;
    b.fill("#f-name", "Guangdong").await;
    b.fill("#f-anchor", "ES256:zz").await;
    b.fill("#f-url", &a.base).await;
    b.go("#peer-form button[type=submit]").await;
    assert_eq!(
        b.text("#f-anchor-error").await,
        text("en", "error.invalid_anchor")
    );
    assert_eq!(b.prop("#f-name", "value").await, "Guangdong");
    both_widths(&b, "peers (wrong anchor, en)").await;
    b.resize(1280, 900).await;
    b.fill("#f-anchor", &anchor_text(&a.anchor)).await;
    b.go("#peer-form button[type=submit]").await;
    assert_eq!(b.text("#flash").await, text("en", "done.peer_pinned"));
    // And one that cannot be reached, refreshed: the refusal is shown.
    b.fill("#f-region_code", "320000").await;
    b.fill("#f-name", "Jiangsu").await;
    b.fill("#f-anchor", &some_anchor()).await;
    b.fill("#f-url", NOWHERE).await;
    b.go("#peer-form button[type=submit]").await;
    assert!(
        b.exists("section.peer[data-region='320000'] .last-error")
            .await
    );
    assert!(
        !b.exists("section.peer[data-region='440000'] .last-error")
            .await
    );
    b.go("section.peer[data-region='320000'] button.refresh")
        .await;
    assert_eq!(
        b.attr("#refresh-refused", "data-code").await,
        "peer_unreachable"
    );
    both_widths(&b, "peers (refused, en)").await;
    b.resize(1280, 900).await;
    b.screenshot("peers-en").await;
    b.go("section.peer[data-region='440000'] button.refresh")
        .await;
    assert_eq!(b.text("#flash").await, text("en", "done.peer_refreshed"));

    b.goto(&s.url("/web/lang/zh-CN?next=/web/admin/peers"))
        .await;
    assert_eq!(b.text("h1").await, text("zh", "peers.title"));
    assert!(
        b.text("main")
            .await
            .contains(&text("zh", "error.peer_unreachable"))
    );
    both_widths(&b, "peers (two, zh-CN)").await;
    b.resize(1280, 900).await;
    b.go("section.peer[data-region='320000'] button.remove")
        .await;
    assert_eq!(b.text("#flash").await, text("zh", "done.peer_removed"));
    assert!(!b.exists("section.peer[data-region='320000']").await);
    assert!(b.exists("section.peer[data-region='440000']").await);
    both_widths(&b, "peers (removed, zh-CN)").await;
    b.screenshot("peers-zh-CN").await;
    b.finish().await;
}
