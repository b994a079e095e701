//! The card side in a real browser, in both languages, with axe-core on every
//! new page: the social security officer works the 30-day queue and enrols
//! holders (by permit number and by the Notice QR, one over age); the card
//! officer applies for a card, batches it, imports a return file (a bad one
//! first), ships and delivers it; issues a second card at the window; reports
//! it lost and replaces it.

use chrono::Utc;

use crate::browser::{self, Browser, text};
use crate::server::{CARD, SS, Server};

const LEGACY: &str = "440106201900000091";

#[tokio::test]
async fn social_security_and_card_officers_in_english() {
    journey("en").await;
}

#[tokio::test]
async fn social_security_and_card_officers_in_chinese() {
    journey("zh-CN").await;
}

/// The people of the story: (permit number of the first holder, application
/// id of the over-age holder, the over-age holder's permit start).
async fn holders(s: &Server) -> (String, String, String) {
    s.cast().await;
    let first = s
        .approved_for("CS0000001", "ANNA KOWALSKA", "1985-01-01")
        .await;
    let old = s.approved_for("CS0000003", "ROSA LIMA", "1958-05-05").await;
    s.legacy_permit(LEGACY, 40, "CS0000002", "Kenji Tanaka")
        .await;
    let n = old["permit_number"].as_str().unwrap();
    let permit = s.api_get(&format!("/api/v1/permits/{n}"), SS).await;
    (
        first["permit_number"].as_str().unwrap().to_owned(),
        old["id"].as_str().unwrap().to_owned(),
        permit["valid_from"].as_str().unwrap().to_owned(),
    )
}

async fn journey(lang: &str) {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    let (first, old_id, old_start) = holders(&s).await;
    b.goto(&s.url("/web/sign-in")).await;
    b.go(&format!("a[hreflang='{lang}']")).await;
    b.sign_in(&s.base, SS).await;
    assert_eq!(b.path().await, "/web/social-security/accounts");
    b.axe("accounts, empty").await;
    let ssn = enrolments(&b, &s, lang, &first, &old_id, &old_start).await;
    b.sign_out().await;

    b.sign_in(&s.base, CARD).await;
    assert_eq!(b.path().await, "/web/cards");
    b.axe("card queue, empty").await;
    let card = delivered_card(&b, lang, &ssn).await;
    window_loss_and_replacement(&b, lang).await;
    b.goto(&s.url("/web/cards?status=delivered")).await;
    assert!(b.text("#cards").await.contains(&card));
    b.resize(390, 844).await;
    b.axe("card queue, phone").await;
    b.screenshot(&format!("card-queue-phone-{lang}")).await;
    b.finish().await;
}

async fn flash(b: &Browser, lang: &str, key: &str) {
    assert_eq!(b.text("#flash").await, text(lang, &format!("done.{key}")));
}

/// The 30-day queue, three enrolments, the accounts list and its search.
/// Returns the first holder's SSN.
async fn enrolments(
    b: &Browser,
    s: &Server,
    lang: &str,
    first: &str,
    old_id: &str,
    old_start: &str,
) -> String {
    let today = Utc::now().date_naive().to_string();
    b.go("nav a[href='/web/social-security/due']").await;
    assert!(b.text("#due").await.contains(LEGACY), "40 days: overdue");
    b.axe("30-day queue").await;
    b.go(&format!("#due a[href$='{LEGACY}']")).await;
    assert_eq!(b.prop("#f-permit_number", "value").await, LEGACY);
    b.fill("#f-name", "kenji tanaka").await;
    b.set("#f-start_date", &today).await;
    b.go("#enrol-form button[type=submit]").await;
    flash(b, lang, "enrolled").await;
    assert_eq!(b.text("#ssn").await.len(), 18, "the SSN in full");
    b.axe("account").await;
    let ssn = refused_then_enrolled(b, s, lang, first).await;
    over_age_by_the_notice_qr(b, s, old_id, old_start, lang).await;
    search(b, &ssn).await;
    ssn
}

/// A name that is not the permit's is refused at the field; then enrolled.
async fn refused_then_enrolled(b: &Browser, s: &Server, lang: &str, first: &str) -> String {
    let today = Utc::now().date_naive().to_string();
    b.go("nav a[href='/web/social-security/enrol']").await;
    b.axe("enrol").await;
    b.fill("#f-permit_number", first).await;
    b.fill("#f-name", "ANNA SMITH").await;
    b.set("#f-start_date", &today).await;
    b.go("#enrol-form button[type=submit]").await;
    assert_eq!(
        b.text("#f-name-error").await,
        text(lang, "error.name_mismatch")
    );
    b.axe("enrol refused").await;
    b.fill("#f-name", "ANNA KOWALSKA").await;
    let start = s.api_get(&format!("/api/v1/permits/{first}"), SS).await["valid_from"]
        .as_str()
        .unwrap()
        .to_owned();
    b.set("#f-start_date", &start).await;
    b.go("#enrol-form button[type=submit]").await;
    flash(b, lang, "enrolled").await;
    b.text("#ssn").await
}

/// Over age, by the Notice QR: enrolled without the excluded insurances.
async fn over_age_by_the_notice_qr(b: &Browser, s: &Server, id: &str, start: &str, lang: &str) {
    b.go("nav a[href='/web/social-security/enrol']").await;
    b.fill("#f-notice_qr", &s.notice_qr(id).await).await;
    b.fill("#f-name", "ROSA LIMA").await;
    b.set("#f-start_date", start).await;
    b.go("#enrol-form button[type=submit]").await;
    assert!(b.exists("#over-age").await);
    assert!(
        b.text("#exclusions")
            .await
            .contains(&text(lang, "insurance.pension"))
    );
    b.axe("account, over age").await;
    b.screenshot(&format!("ss-account-over-age-{lang}")).await;
}

/// The accounts list, a name search, an SSN search.
async fn search(b: &Browser, ssn: &str) {
    b.go("nav a[href='/web/social-security/accounts']").await;
    assert_eq!(
        b.client
            .find_all(fantoccini::Locator::Css("#accounts tbody tr"))
            .await
            .unwrap()
            .len(),
        3
    );
    b.fill("#f-q", "kowalska").await;
    b.go("#search-form button[type=submit]").await;
    assert!(b.text("#accounts").await.contains("ANNA KOWALSKA"));
    b.axe("account search").await;
    b.fill("#f-q", ssn).await;
    b.go("#search-form button[type=submit]").await;
    assert_eq!(b.text("#ssn").await, ssn, "an SSN opens its account");
}

/// Apply, batch, a bad then a good return file, ship, deliver.
async fn delivered_card(b: &Browser, lang: &str, ssn: &str) -> String {
    b.go("nav a[href='/web/cards/new']").await;
    b.axe("apply for a card").await;
    b.fill("#f-holder", ssn).await;
    b.fill("#f-bank_code", "ICBC").await;
    b.fill("#f-delivery-recipient", "Anna Kowalska").await;
    b.fill("#f-delivery-phone", "+86 138 0000 0000").await;
    b.fill("#f-delivery-address", "1 Tianhe Road").await;
    b.fill("#f-delivery-region_code", "440106").await;
    b.go("#apply-form button[type=submit]").await;
    flash(b, lang, "applied").await;
    assert_eq!(b.attr("#card-status", "data-status").await, "applied");
    assert_eq!(b.text("#card-ssn").await, ssn);
    b.axe("card, applied").await;
    let card = b
        .path()
        .await
        .split('?')
        .next()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    batch_and_return_file(b, lang, &card).await;
    ship_and_deliver(b, lang, &card).await;
    card
}

/// Batch the card; a return file with a bad line, then a good one.
async fn batch_and_return_file(b: &Browser, lang: &str, card: &str) {
    b.go("nav a[href='/web/card-batches']").await;
    b.axe("batches").await;
    b.go("#batch-form button[type=submit]").await;
    flash(b, lang, "batch_created").await;
    b.axe("batch").await;
    let file = b.attr("#batch-file", "href").await;
    assert_eq!(b.fetch_head(&file).await, "200 application/x-ndjson {\"car");
    let dir = tempfile::tempdir().unwrap();
    let line = |account: &str| {
        format!(
            "{{\"card_number\":\"{card}\",\"chip_serial\":\"CHIP00000001\",\"bank_account\":\"{account}\"}}\n"
        )
    };
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, line("6222020000000000008")).unwrap();
    b.find("#f-file")
        .await
        .send_keys(bad.to_str().unwrap())
        .await
        .unwrap();
    b.go("#result-form button[type=submit]").await;
    let errors = b.text("#line-errors").await;
    assert!(errors.contains("invalid_bank_account_check"), "{errors}");
    assert!(errors.contains(&text(lang, "line_error.invalid_bank_account_check")));
    b.axe("return file refused").await;
    b.screenshot(&format!("batch-line-errors-{lang}")).await;
    let good = dir.path().join("good.jsonl");
    std::fs::write(&good, line("4111111111111111")).unwrap();
    b.find("#f-file")
        .await
        .send_keys(good.to_str().unwrap())
        .await
        .unwrap();
    b.go("#result-form button[type=submit]").await;
    flash(b, lang, "result_imported").await;
    assert!(!b.exists("#result-form").await, "imported once");
}

async fn ship_and_deliver(b: &Browser, lang: &str, card: &str) {
    b.go(&format!("#batch-cards a[href='/web/cards/{card}']"))
        .await;
    assert_eq!(b.attr("#card-status", "data-status").await, "produced");
    b.go("#event-shipped button[type=submit]").await;
    assert_eq!(
        b.text("#f-shipped-courier-error").await,
        text(lang, "error.required")
    );
    b.axe("card, shipping refused").await;
    b.fill("#f-shipped-courier", "EMS").await;
    b.fill("#f-shipped-tracking_number", "EMS000111222").await;
    b.go("#event-shipped button[type=submit]").await;
    flash(b, lang, "shipped").await;
    b.go("#event-delivered button[type=submit]").await;
    flash(b, lang, "delivered").await;
    assert_eq!(b.attr("#card-status", "data-status").await, "delivered");
    assert_eq!(b.text("#card-bank-account").await, "4111111111111111");
    b.axe("card, delivered").await;
    b.screenshot(&format!("card-delivered-{lang}")).await;
}

/// The over-due holder's card at the window, then lost and replaced.
async fn window_loss_and_replacement(b: &Browser, lang: &str) {
    b.go("nav a[href='/web/cards/window']").await;
    b.axe("window issuance").await;
    b.fill("#f-holder", LEGACY).await;
    b.fill("#f-bank_code", "BOC").await;
    b.fill("#f-chip_serial", "CHIPW0000001").await;
    b.fill("#f-bank_account", "5555555555554444").await;
    b.go("#window-form button[type=submit]").await;
    flash(b, lang, "issued_at_window").await;
    assert_eq!(
        b.attr("#card-status", "data-status").await,
        "issued_at_window"
    );
    assert_eq!(b.attr("#window-minutes", "data-minutes").await, "0");
    b.axe("card, issued at the window").await;
    let old = b.path().await.split('?').next().unwrap().to_owned();

    b.fill("#f-lost-note", "lost on the metro").await;
    b.go("#event-lost button[type=submit]").await;
    flash(b, lang, "lost").await;
    assert_eq!(b.attr("#card-status", "data-status").await, "frozen");
    b.go("#event-replaced button[type=submit]").await;
    assert_eq!(
        b.text("#f-replaced-confirm-error").await,
        text(lang, "error.confirm_required")
    );
    b.axe("replace, not confirmed").await;
    b.click("#f-replaced-confirm").await;
    b.go("#event-replaced button[type=submit]").await;
    flash(b, lang, "replaced").await;
    assert_eq!(b.attr("#card-status", "data-status").await, "applied");
    assert_eq!(b.attr("#replaces a", "href").await, old);
    assert_eq!(
        b.text("#card-bank-account").await,
        "5555555555554444",
        "kept"
    );
    b.axe("card, replacement").await;
}
