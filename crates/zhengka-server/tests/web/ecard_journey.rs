//! Issue 9's walk in one go, in headless Chromium at phone size: a new holder
//! registers with name + permit number on the page, passes the real-person
//! step with the (fake) camera, signs in, sees the Notice to download, opens
//! the QR page which binds a WebCrypto device key, and shows a QR that
//! `zhengka verify --purpose presentation` accepts offline; the same QR 31 s
//! later is refused as stale, and after the card is reported lost the same
//! device's next QR is refused as suspended.

use serde_json::json;

use crate::browser;
use crate::ecard_pages::{fill_registration, holder, shown};
use crate::ecard_qr::{download, next_qr, verify, zhengka_binary};
use crate::server::{CARD, Server};

#[tokio::test]
async fn a_new_holder_registers_on_the_phone_and_shows_a_qr_that_verifies_offline() {
    let Some(bin) = zhengka_binary() else {
        let why = "the zhengka binary is not built (cargo build -p zhengka)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    };
    let s = Server::spawn_demo().await;
    s.cast().await;
    let (permit, _) = holder(&s, "EJ1111111").await;
    let number = permit["permit_number"].as_str().unwrap().to_owned();
    let camera = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
    ];
    let Some(b) = browser::start_with(&camera).await else {
        return;
    };
    b.resize(360, 740).await;
    b.goto(&s.url("/web/lang/en?next=/web/ecard/register"))
        .await;
    fill_registration(&b, permit["holder_name"].as_str().unwrap(), &number).await;
    assert!(b.path().await.ends_with("/real-person"));
    shown(&b, "#camera").await;
    b.click("#camera-start").await;
    shown(&b, "#camera-take").await;
    b.click("#camera-take").await;
    shown(&b, "#camera-preview").await;
    b.go("#selfie-submit").await;
    assert_eq!(b.attr("#outcome", "data-outcome").await, "pass");

    b.go("#go-sign-in").await;
    b.fill("#f-username", &number).await;
    b.fill("#f-password", "holder password 1234").await;
    b.go("main form button[type=submit]").await;
    assert_eq!(b.path().await, "/web/ecard");
    let href = b.attr("a.notice-pdf", "href").await;
    assert_eq!(b.fetch_head(&href).await, "200 application/pdf %PDF-");

    b.goto(&s.url("/web/ecard/qr")).await;
    let (qr, iat) = next_qr(&b, "").await;
    let dir = tempfile::tempdir().unwrap();
    download(&s, dir.path()).await;
    let (ok, out) = verify(&bin, dir.path(), &qr, None);
    assert!(ok, "{out}");
    assert!(
        out.starts_with(&format!("valid presentation: permit {number}")),
        "{out}"
    );
    assert_eq!(
        verify(&bin, dir.path(), &qr, Some(iat + 31)),
        (false, "rejected: replayed_or_stale_presentation".into())
    );

    let cards = s.api_get("/api/v1/cards?limit=100", CARD).await;
    let card = cards["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["permit_number"] == number.as_str())
        .expect("the holder's card")["card_number"]
        .as_str()
        .unwrap()
        .to_owned();
    s.api_as(
        &format!("/api/v1/cards/{card}/events"),
        CARD,
        json!({ "type": "lost" }),
    )
    .await;
    s.dispatch().await;
    let (after, _) = next_qr(&b, &qr).await;
    download(&s, dir.path()).await;
    assert_eq!(
        verify(&bin, dir.path(), &after, None),
        (false, "rejected: suspended".into())
    );
    b.finish().await;
}
