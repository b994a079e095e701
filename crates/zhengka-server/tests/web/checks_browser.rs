//! Issue 10's pages in Chromium: the holder's phone draws the live QR; a
//! police officer (desktop, English) and a hospital's nurse (phone, Chinese)
//! each paste it on `/web/verify` and see only their purpose's fields; the
//! holder's "who checked my card" lists both; a share code made on the
//! holder's page verifies once on an employer's page; `/web/check` shows
//! valid and the last four only. axe finds nothing serious at 1280 and 390 px.

use std::path::Path;
use std::time::{Duration, Instant};

use zhengka_credential::QrMatrix;

use crate::browser::{self, Browser, text};
use crate::check_pages::{HOSPITAL, HR, NURSE, organisation};
use crate::ecard_qr::{holder_with_card, next_qr};
use crate::server::{POLICE, Server};

/// A fresh live QR from the holder's own phone page.
async fn live_qr(b: &Browser, s: &Server, holder: &str) -> String {
    b.resize(390, 844).await;
    b.sign_in(&s.base, holder).await;
    b.goto(&s.url("/web/ecard/qr")).await;
    let (qr, _) = next_qr(b, "").await;
    b.sign_out().await;
    qr
}

/// `payload` as a QR in an SVG image (4 px a module, a light margin): the
/// image a person uploads instead of scanning.
fn qr_image(payload: &str, path: &Path) {
    const PX: usize = 4;
    const QUIET: usize = 6;
    let m = QrMatrix::encode(payload).expect("a QR");
    let side = (m.width() + 2 * QUIET) * PX;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side}\" height=\"{side}\" \
         viewBox=\"0 0 {side} {side}\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>"
    );
    for y in 0..m.width() {
        for x in 0..m.width() {
            if m.is_dark(x, y) {
                let (px, py) = ((x + QUIET) * PX, (y + QUIET) * PX);
                svg.push_str(&format!(
                    "<rect x=\"{px}\" y=\"{py}\" width=\"{PX}\" height=\"{PX}\"/>"
                ));
            }
        }
    }
    svg.push_str("</svg>");
    std::fs::write(path, svg).unwrap();
}

async fn both_widths(b: &Browser, page: &str) {
    b.resize(1280, 900).await;
    b.axe(page).await;
    b.resize(390, 844).await;
    b.axe(page).await;
}

#[tokio::test]
async fn police_and_a_hospital_verify_the_live_qr_and_the_holder_reads_both() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let (number, _card) = holder_with_card(&s).await;
    organisation(&s, HOSPITAL, "healthcare", &["healthcare"], NURSE).await;
    organisation(
        &s,
        "Overseas Hiring Ltd",
        "employer",
        &["employer_right_to_work"],
        HR,
    )
    .await;
    b.goto(&s.url("/web/lang/en?next=/web/sign-in")).await;

    // The police, in English at desktop width: the full permit.
    let qr = live_qr(&b, &s, &number).await;
    b.resize(1280, 900).await;
    b.sign_in(&s.base, POLICE).await;
    b.goto(&s.url("/web/verify")).await;
    b.set("#f-qr", &qr).await;
    b.select("#f-reason", "identity_check").await;
    b.go("#verify-form button[type=submit]").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "valid");
    assert_eq!(b.text("#verdict-title").await, text("en", "verify.valid"));
    assert_eq!(b.text("#v-passport_number").await, "EQ7654321");
    assert_eq!(b.text("#v-permit_number").await, number);
    assert!(!b.exists("#v-ssn").await && !b.exists("#v-medical_insurance").await);
    both_widths(&b, "/web/verify (police, verdict)").await;
    b.sign_out().await;

    // The nurse, in Chinese on a phone: name, SSN, insurance, nothing else.
    let qr = live_qr(&b, &s, &number).await;
    b.sign_in(&s.base, NURSE).await;
    b.goto(&s.url("/web/lang/zh-CN?next=/web/verify")).await;
    assert!(
        !b.exists("#f-permit_number").await,
        "no lookup for a hospital"
    );
    b.set("#f-qr", &qr).await;
    b.go("#verify-form button[type=submit]").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "valid");
    assert_eq!(b.text("#verdict-title").await, text("zh", "verify.valid"));
    assert_eq!(b.text("#v-holder_name").await, "LENA FISCHER");
    assert_eq!(
        b.text("#v-medical_insurance").await,
        text("zh", "verify.medical.active")
    );
    for hidden in ["#v-passport_number", "#v-permit_number", "#v-date_of_birth"] {
        assert!(!b.exists(hidden).await, "{hidden} shown to a hospital");
    }
    both_widths(&b, "/web/verify (hospital, zh)").await;
    b.goto(&s.url("/web/lang/en?next=/web/verify")).await;
    b.sign_out().await;

    // The holder reads both checks and makes a share code.
    b.sign_in(&s.base, &number).await;
    b.goto(&s.url("/web/ecard")).await;
    b.go("#who-checked").await;
    assert_eq!(b.path().await, "/web/ecard/verifications");
    let log = b.text("#checks").await;
    assert!(log.contains(&text("en", "checks.org.police")), "{log}");
    assert!(log.contains(HOSPITAL), "{log}");
    assert!(
        log.contains(&text("en", "purpose_name.healthcare")),
        "{log}"
    );
    let rows = b
        .client
        .find_all(fantoccini::Locator::Css(".check-row"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    both_widths(&b, "/web/ecard/verifications").await;
    b.goto(&s.url("/web/ecard/share-codes")).await;
    b.go("#share-make").await;
    let code = b.text("#share-code").await;
    assert_eq!(code.len(), 11, "{code}");
    both_widths(&b, "/web/ecard/share-codes (made)").await;
    b.sign_out().await;

    // The employer: the share code once.
    b.resize(1280, 900).await;
    b.sign_in(&s.base, HR).await;
    b.goto(&s.url("/web/verify")).await;
    assert!(
        !b.exists("#f-qr").await,
        "a right-to-work check takes no QR"
    );
    b.fill("#f-share_code", &code).await;
    b.go("#verify-form button[type=submit]").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "valid");
    assert_eq!(b.text("#v-permit_class").await, "B");
    assert!(!b.exists("#v-passport_number").await);
    b.fill("#f-share_code", &code).await;
    b.go("#verify-form button[type=submit]").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "share_code_used");
    assert_eq!(
        b.text("#verdict-reason").await,
        text("en", "rejection.share_code_used")
    );
    both_widths(&b, "/web/verify (employer, refused)").await;
    b.sign_out().await;

    // The admin's relying-party page lists both organisations.
    b.sign_in(&s.base, "admin").await;
    b.goto(&s.url("/web/admin/relying-parties")).await;
    assert!(b.text("main").await.contains(HOSPITAL));
    both_widths(&b, "/web/admin/relying-parties").await;
    b.sign_out().await;

    // Anyone: a Notice QR on the public page, valid and the last four only.
    let approved = s.approved_from_abroad("PB1234567").await;
    let notice = s.notice_qr(approved["id"].as_str().unwrap()).await;
    let other = approved["permit_number"].as_str().unwrap();
    // Uploaded as an image: the page reads the QR and submits it.
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("notice-qr.svg");
    qr_image(&notice, &image);
    b.goto(&s.url("/web/check")).await;
    let input = b.find("#scan-file").await;
    input.send_keys(image.to_str().unwrap()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !b.exists("#verdict").await {
        let status = b.text("#scan-status").await;
        assert!(
            Instant::now() < deadline,
            "the image was not read: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.attr("#verdict", "data-verdict").await, "valid");
    let last4 = &other[other.len() - 4..];
    assert!(b.text("#verdict-last4").await.contains(last4));
    let body = b.text("main").await;
    for secret in ["MARIA SILVA", "PB1234567", other, "Engineer"] {
        assert!(!body.contains(secret), "{secret} on the public page");
    }
    both_widths(&b, "/web/check (valid)").await;
    b.goto(&s.url("/web/lang/zh-CN?next=/web/check")).await;
    assert_eq!(b.text("h1").await, text("zh", "check.title"));
    b.finish().await;
}
