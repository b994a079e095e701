//! The holder's pages on a phone-sized Chromium (360×740): register with name
//! and permit number (the one refusal for a wrong name first), the
//! real-person step with the fake camera (the demo provider passes it, and
//! every page says so), sign in with the permit number, the permit as on its
//! record, the SSN only once tapped, the Notice PDF, the card reported lost
//! and frozen. The same pages in Chinese with the upload fallback; axe on
//! every page at 360 px and at desktop width.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser::{self, Browser, text};
use crate::server::{AGENT, CARD, SS, Server};

const NAME: &str = "MARIA SILVA";
const HOLDER_PASSWORD: &str = "holder password 1234";

/// An approved class B permit with a social security account and a card
/// issued at the window: the permit record and the SSN.
pub(crate) async fn holder(s: &Server, passport: &str) -> (Value, String) {
    let approved = s.approved_from_abroad(passport).await;
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    let permit = s.api_get(&format!("/api/v1/permits/{number}"), AGENT).await;
    let body = json!({ "permit_number": number, "name": NAME, "start_date": permit["valid_from"] });
    let account = s
        .api_as("/api/v1/social-security/enrolments", SS, body)
        .await;
    let ssn = account["ssn"].as_str().unwrap().to_owned();
    let body = json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" });
    let card = s.api_as("/api/v1/cards", CARD, body).await;
    let path = format!(
        "/api/v1/cards/{}/events",
        card["card_number"].as_str().unwrap()
    );
    let issued = json!({ "type": "issued_at_window", "chip_serial": "CHIPE0000001",
                         "bank_account": "5555555555554444" });
    s.api_as(&path, CARD, issued).await;
    (permit, ssn)
}

/// Wait until `css` is shown (no longer `hidden`).
pub(crate) async fn shown(b: &Browser, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.exists(&format!("{css}[hidden]")).await {
        assert!(Instant::now() < deadline, "{css} stayed hidden");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub(crate) async fn fill_registration(b: &Browser, name: &str, number: &str) {
    b.fill("#f-name", name).await;
    b.fill("#f-permit_number", number).await;
    b.fill("#f-password", HOLDER_PASSWORD).await;
    b.fill("#f-password2", HOLDER_PASSWORD).await;
    b.go("#register-form button[type=submit]").await;
}

/// axe at phone and at desktop width, back to the phone.
async fn axe_both(b: &Browser, page: &str) {
    b.screenshot(&page.replace(' ', "-")).await;
    b.axe(&format!("{page} at 360 px")).await;
    b.resize(1280, 1000).await;
    b.axe(&format!("{page} at desktop width")).await;
    b.resize(360, 740).await;
}

#[tokio::test]
async fn a_holder_registers_on_a_phone_and_uses_the_ecard() {
    let s = Server::spawn_demo().await;
    s.cast().await;
    let (permit, ssn) = holder(&s, "EP1111111").await;
    let number = permit["permit_number"].as_str().unwrap().to_owned();
    let camera = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
    ];
    let Some(b) = browser::start_with(&camera).await else {
        return;
    };
    b.resize(360, 740).await;
    b.goto(&s.url("/web/lang/en?next=/web/sign-in")).await;
    b.go("#register-link").await;
    assert_eq!(b.path().await, "/web/ecard/register");
    assert!(b.exists("#demo-real-person").await, "the demo says so");
    axe_both(&b, "registration").await;

    // A wrong name: the one refusal, what was typed kept, the passwords not.
    fill_registration(&b, "MARIA SILVERA", &number).await;
    let summary = b.text(".error-summary").await;
    assert!(
        summary.contains(&text("en", "error.registration_refused")),
        "{summary}"
    );
    assert_eq!(b.prop("#f-name", "value").await, "MARIA SILVERA");
    assert_eq!(b.prop("#f-permit_number", "value").await, number);
    assert_eq!(b.prop("#f-password", "value").await, "");
    b.axe("registration refused").await;

    fill_registration(&b, NAME, &number).await;
    let path = b.path().await;
    assert!(path.ends_with("/real-person"), "{path}");
    assert!(b.exists("#demo-real-person").await);
    assert!(b.exists("#expires").await, "the expiry is shown");
    axe_both(&b, "real-person step").await;
    shown(&b, "#camera").await;
    b.click("#camera-start").await;
    shown(&b, "#camera-take").await;
    b.click("#camera-take").await;
    shown(&b, "#camera-preview").await;
    b.go("#selfie-submit").await;
    assert_eq!(b.attr("#outcome", "data-outcome").await, "pass");
    b.axe("real-person passed").await;

    // Sign in with the permit number: straight to the e-card.
    b.go("#go-sign-in").await;
    b.fill("#f-username", &number).await;
    b.fill("#f-password", HOLDER_PASSWORD).await;
    b.go("main form button[type=submit]").await;
    assert_eq!(b.path().await, "/web/ecard");
    assert!(b.exists("#demo-real-person").await);
    the_permit_is_the_record(&b, &permit).await;
    assert!(
        b.exists("a[href='/web/ecard/qr']").await
            && b.exists("a[href='/web/ecard/notifications']").await
    );
    axe_both(&b, "e-card").await;

    // The SSN: masked, and nowhere in the page until tapped.
    assert_ne!(b.text("#ssn").await, ssn);
    let html = b.client.source().await.unwrap();
    assert!(!html.contains(&ssn), "the SSN is not in the page");
    b.go("#ssn-show").await;
    assert_eq!(b.text("#ssn").await, ssn);

    // The Notice, as a PDF.
    let href = b.attr("a.notice-pdf", "href").await;
    let head = b.fetch_head(&href).await;
    assert_eq!(head, "200 application/pdf %PDF-", "{href}");

    // Report the card lost: the tick first, then frozen at once.
    b.go("#lost-form button[type=submit]").await;
    assert!(b.exists("#f-lost-confirm-error").await);
    b.click("#f-lost-confirm").await;
    b.go("#lost-form button[type=submit]").await;
    assert_eq!(b.attr("#card-status", "data-status").await, "frozen");
    assert!(
        b.exists("#replace-form").await,
        "a replacement may be asked for"
    );
    assert!(!b.exists("#lost-form").await);
    axe_both(&b, "e-card after the loss").await;
    b.click("#f-replaced-confirm").await;
    b.go("#replace-form button[type=submit]").await;
    assert_eq!(
        b.attr("#card-status", "data-status").await,
        "applied",
        "the new card"
    );
    b.finish().await;
}

async fn the_permit_is_the_record(b: &Browser, permit: &Value) {
    let s = |k: &str| permit[k].as_str().unwrap().to_owned();
    assert_eq!(b.text("#permit-number").await, s("permit_number"));
    assert_eq!(b.text("#permit-name").await, s("holder_name"));
    assert_eq!(b.text("#permit-class").await, s("class"));
    assert_eq!(b.text("#permit-position").await, s("position"));
    assert_eq!(b.text("#permit-employer").await, "Lingnan Institute");
    let validity = b.text("#permit-validity").await;
    assert!(validity.contains(&s("valid_from")) && validity.contains(&s("valid_to")));
    assert_eq!(b.attr("#permit-status", "data-status").await, s("status"));
    assert!(
        !b.exists("#permit-state").await,
        "a valid permit has no warning"
    );
    assert!(
        b.exists("#onsite-awaiting").await,
        "class B from abroad: the on-site check"
    );
}

#[tokio::test]
async fn the_holder_pages_in_chinese_with_a_chosen_photo() {
    let s = Server::spawn_demo().await;
    s.cast().await;
    let (permit, _) = holder(&s, "EP2222222").await;
    let number = permit["permit_number"].as_str().unwrap().to_owned();
    let Some(b) = browser::start().await else {
        return;
    };
    b.resize(360, 740).await;
    b.goto(&s.url("/web/lang/zh-CN?next=/web/ecard/reset"))
        .await;
    assert_eq!(b.attr("html", "lang").await, "zh-CN");
    axe_both(&b, "password reset (zh)").await;
    b.goto(&s.url("/web/ecard/register")).await;
    fill_registration(&b, "ANNA OTHER", &number).await;
    let summary = b.text(".error-summary").await;
    assert!(
        summary.contains(&text("zh-CN", "error.registration_refused")),
        "{summary}"
    );
    axe_both(&b, "registration refused (zh)").await;
    fill_registration(&b, NAME, &number).await;
    assert!(b.path().await.ends_with("/real-person"));
    // Without the camera: a chosen photo (any JPEG passes the demo).
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("selfie.jpg");
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0 a test photo").unwrap();
    b.find("#f-image")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    b.go("#selfie-submit").await;
    assert_eq!(b.attr("#outcome", "data-outcome").await, "pass");
    assert_eq!(
        b.text("#outcome-title").await,
        text("zh-CN", "ecard.rp.pass")
    );
    axe_both(&b, "real-person passed (zh)").await;
    b.sign_in_as(&s.base, &number, HOLDER_PASSWORD).await;
    assert_eq!(b.path().await, "/web/ecard");
    assert_eq!(b.text("#permit-title").await, text("zh-CN", "ecard.permit"));
    axe_both(&b, "e-card (zh)").await;
    // Closing the account: a tick, then back at the sign-in page, signed out.
    b.click("#f-close-confirm").await;
    b.go("#close-form button[type=submit]").await;
    assert_eq!(b.path().await, "/web/sign-in?done=account_closed");
    assert_eq!(b.text("#flash").await, text("zh-CN", "done.account_closed"));
    b.goto(&s.url("/web/ecard")).await;
    assert_eq!(b.path().await, "/web/sign-in?next=/web/ecard");
    b.finish().await;
}

#[tokio::test]
async fn the_notice_qr_scanned_with_the_camera_registers() {
    let s = Server::spawn_demo().await;
    s.cast().await;
    let approved = s.approved_from_abroad("EP4444444").await;
    let qr = s.notice_qr(approved["id"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("notice.y4m");
    crate::camera::qr_video(&qr, &video);
    let camera = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
        format!("--use-file-for-fake-video-capture={}", video.display()),
    ];
    let Some(b) = browser::start_with(&camera).await else {
        return;
    };
    b.resize(360, 740).await;
    b.goto(&s.url("/web/lang/en?next=/web/ecard/register"))
        .await;
    // Only the chosen identifier's field shows.
    assert!(b.exists(".id-field[data-kind=notice_qr][hidden]").await);
    b.click("#f-id_kind-notice_qr").await;
    assert!(b.exists(".id-field[data-kind=permit_number][hidden]").await);
    shown(&b, "#scanner").await;
    assert!(
        !b.exists("#qr-photo[hidden]").await,
        "a photo of the QR is offered"
    );
    b.click("#scan-start").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while b.prop("#f-notice_qr", "value").await.is_empty() {
        assert!(Instant::now() < deadline, "the QR was not read");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.prop("#f-notice_qr", "value").await, qr);
    b.fill("#f-name", NAME).await;
    b.fill("#f-password", HOLDER_PASSWORD).await;
    b.fill("#f-password2", HOLDER_PASSWORD).await;
    b.go("#register-form button[type=submit]").await;
    assert!(
        b.path().await.ends_with("/real-person"),
        "{}",
        b.path().await
    );
    b.finish().await;
}
