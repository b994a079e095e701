//! The admin's keys page: the trust list's entries, the key that signs now,
//! the trust anchor, the published lists; rotation left to the command line.

use reqwest::StatusCode;

use crate::browser::{self, text};
use crate::http::{client, signed_in};
use crate::server::{OFFICER, Server};

#[tokio::test]
async fn the_admin_sees_the_keys_and_others_do_not() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let admin = signed_in(&s, &c, "admin").await;
    let officer = signed_in(&s, &c, OFFICER).await;
    let r = c
        .get(s.url("/web/admin/keys"))
        .header("cookie", &officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .get(s.url("/web/admin/keys"))
        .header("cookie", &admin)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(&text("en", "key_state.signing")));
    assert!(
        html.contains("ES256") || html.contains("es256"),
        "the algorithm"
    );
    assert!(
        html.contains("zhengka keys rotate"),
        "rotation is a CLI step"
    );
    let kid = html
        .split("id=\"anchor-kid\">")
        .nth(1)
        .and_then(|h| h.split('<').next())
        .unwrap();
    assert_eq!(kid.len(), 16, "8 bytes in hex: {kid}");
    for path in ["/api/v1/trust-list", "/api/v1/status-lists/1"] {
        assert!(html.contains(&format!("href=\"{path}\"")));
        let r = c.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/cose")
        );
    }
}

#[tokio::test]
async fn keys_page_in_the_browser_in_both_languages() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    b.sign_in(&s.base, "admin").await;
    b.go("nav a[href='/web/admin/keys']").await;
    for lang in ["en", "zh-CN"] {
        b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/admin/keys")))
            .await;
        assert_eq!(b.text("h1").await, text(lang, "keys.title"));
        assert!(
            b.text("#keys-table")
                .await
                .contains(&text(lang, "key_state.signing"))
        );
        b.axe("keys").await;
        b.screenshot(&format!("keys-{lang}")).await;
    }
    assert!(
        b.fetch_head("/api/v1/trust-list")
            .await
            .starts_with("200 application/cose")
    );
    b.finish().await;
}
