//! The main journeys in a real browser, in both languages, with axe-core on
//! every page: the employer files a new-from-abroad application, the officer
//! takes it through acceptance, preliminary review and approval, the
//! employer sees the approval and the permit.

use chrono::{Days, Utc};

use crate::browser::{self, Browser, text};
use crate::server::{AGENT, APPROVER, OFFICER, POLICE, Server};

#[tokio::test]
async fn employer_to_officer_to_permit_in_english() {
    journey("en", false).await;
}

#[tokio::test]
async fn employer_to_officer_to_permit_in_chinese_with_a_return() {
    journey("zh-CN", true).await;
}

async fn journey(lang: &str, with_return: bool) {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    b.goto(&s.url("/web/sign-in")).await;
    b.go(&format!("a[hreflang='{lang}']")).await;
    assert_eq!(b.attr("html", "lang").await, lang);
    b.axe("sign-in").await;

    b.sign_in(&s.base, AGENT).await;
    assert_eq!(b.path().await, "/web/applications");
    b.axe("dashboard, empty").await;
    let id = file_application(&b, lang).await;
    b.go("form[action$='/submit'] button").await;
    assert_eq!(b.text("#status").await, text(lang, "status.submitted"));
    b.axe("application, submitted").await;
    b.sign_out().await;

    b.sign_in(&s.base, OFFICER).await;
    assert_eq!(b.path().await, "/web/queue?step=submitted");
    b.axe("queue").await;
    b.screenshot(&format!("queue-{lang}")).await;
    b.go(&format!("main table a[href='/web/applications/{id}']"))
        .await;
    b.axe("application, officer").await;
    if with_return {
        return_and_answer(&b, &s, lang, &id).await;
    }
    for status in ["accepted", "preliminary_reviewed"] {
        b.click("#f-outcome-pass").await;
        b.go(".decision button[type=submit]").await;
        assert_eq!(
            b.text("#status").await,
            text(lang, &format!("status.{status}"))
        );
    }
    separation_of_duties_refused(&b, lang).await;
    b.sign_out().await;
    b.sign_in(&s.base, APPROVER).await;
    b.goto(&s.url(&format!("/web/applications/{id}"))).await;
    assert!(
        !b.exists("#separation-notice").await,
        "another officer may approve"
    );
    b.click("#f-outcome-pass").await;
    b.click("#f-confirm").await;
    b.go(".decision button[type=submit]").await;
    assert_eq!(b.text("#status").await, text(lang, "status.approved"));
    let permit = b.text("#permit-number").await;
    b.axe("application, approved").await;
    b.screenshot(&format!("application-{lang}")).await;
    assert!(
        b.exists("#onsite-form").await,
        "the officer's on-site check form"
    );
    b.scroll_to("#onsite-form").await;
    b.screenshot(&format!("onsite-form-{lang}")).await;
    b.sign_out().await;

    b.sign_in(&s.base, AGENT).await;
    b.go(&format!("main table a[href='/web/applications/{id}']"))
        .await;
    assert_eq!(b.text("#status").await, text(lang, "status.approved"));
    assert!(
        b.exists("#notice-qr svg[role=img] path").await,
        "the Notice QR"
    );
    assert!(b.text("#notice-number").await.len() > 4);
    let qr = s.notice_qr(&id).await;
    assert_eq!(
        b.decode_qr("#notice-qr svg").await,
        qr,
        "the page's QR reads back"
    );
    let pdf = b.attr("#notice-pdf", "href").await;
    assert_eq!(pdf, format!("/web/applications/{id}/notice.pdf"));
    assert_eq!(b.fetch_head(&pdf).await, "200 application/pdf %PDF-");
    b.axe("application with the Notice").await;
    b.screenshot(&format!("notice-{lang}")).await;
    // The holder has arrived: the employer records the entry date.
    let today = Utc::now().date_naive().to_string();
    b.set("#f-entry-entry_date", &today).await;
    b.go("#entry-form button[type=submit]").await;
    assert_eq!(b.attr("#onsite-state", "data-state").await, "due");
    assert_eq!(b.text("#permit-entry-date").await, today);
    b.axe("application, entry recorded").await;
    b.goto(&s.url("/web/permits")).await;
    assert!(b.text("main table").await.contains(&permit));
    b.axe("permits").await;
    b.screenshot(&format!("permits-{lang}")).await;
    b.resize(390, 844).await;
    b.axe("permits, phone").await;
    b.screenshot(&format!("permits-phone-{lang}")).await;
    b.go(&format!("main table a[href='/web/applications/{id}']"))
        .await;
    b.axe("application, phone").await;
    b.screenshot(&format!("application-phone-{lang}")).await;
    b.sign_out().await;
    verifier(&b, &s, lang, &id, &permit).await;
    b.finish().await;
}

/// On a phone, the police officer pastes the Notice's QR (read from the API)
/// and gives a reason: valid, with the permit's fields. After the permit is
/// cancelled the same QR is revoked.
async fn verifier(b: &Browser, s: &Server, lang: &str, id: &str, permit: &str) {
    let qr = s.notice_qr(id).await;
    b.sign_in(&s.base, POLICE).await;
    assert_eq!(b.path().await, "/web/verify");
    b.axe("verifier, phone").await;
    b.set("#f-qr", &qr).await;
    b.go("#verify-form button[type=submit]").await;
    assert!(
        b.exists("#f-reason-error").await,
        "police must give a reason"
    );
    assert_eq!(
        b.prop("#f-qr", "value").await,
        qr,
        "the pasted code is kept"
    );
    b.axe("verifier with an error").await;
    b.select("#f-reason", "identity_check").await;
    b.go("#verify-form button[type=submit]").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "valid");
    assert_eq!(b.text("#verdict-title").await, text(lang, "verify.valid"));
    assert_eq!(b.text("#v-permit_number").await, permit);
    assert_eq!(
        b.prop("#f-qr", "value").await,
        "",
        "ready for the next code"
    );
    b.axe("verifier, valid").await;
    b.screenshot(&format!("verify-valid-phone-{lang}")).await;

    s.cancel(permit).await;
    b.set("#f-qr", &qr).await;
    b.go("#verify-form button[type=submit]").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "revoked");
    let reason = b.text("#verdict-reason").await;
    assert_eq!(reason, text(lang, "rejection.revoked"));
    b.axe("verifier, revoked").await;
    b.screenshot(&format!("verify-revoked-phone-{lang}")).await;
    b.resize(1280, 1000).await;
    b.axe("verifier, revoked, desktop").await;
    b.sign_out().await;
}

/// Fill the form once with a contract that ends before it starts (the rule's
/// error shows at the field, input kept), then correct it. Returns the id.
async fn file_application(b: &Browser, lang: &str) -> String {
    b.go("main a.button").await;
    b.axe("choose a kind").await;
    b.go("a[href='/web/applications/new?kind=new_from_abroad']")
        .await;
    b.axe("new application form").await;
    let start = Utc::now().date_naive() + Days::new(20);
    b.fill("#f-foreigner-name", "ANNO BERNHARD DEDERICHS").await;
    b.select("#f-foreigner-nationality", "DEU").await;
    b.select("#f-foreigner-sex", "male").await;
    b.set("#f-foreigner-date_of_birth", "1970-05-01").await;
    b.fill("#f-foreigner-passport_number", "C01X00T47").await;
    b.fill("#f-position", "Professor").await;
    b.set("#f-contract-start_date", &start.to_string()).await;
    b.set("#f-contract-end_date", &(start - Days::new(1)).to_string())
        .await;
    b.fill("#f-contract-annual_salary_cny", "300000").await;
    b.fill("#f-contract-work_location_region", "440106").await;
    b.select("#f-scoring-education", "doctorate").await;
    b.fill("#f-scoring-related_experience_years", "10").await;
    b.fill("#f-scoring-months_per_year_in_china", "12").await;
    b.select("#f-scoring-chinese_language", "hsk3").await;
    let incomplete = text(lang, "preview.incomplete");
    // Each keystroke may answer; wait for the answer to the whole form.
    let preview = b
        .wait_text("#points-preview", |t| t != incomplete && t.contains("70"))
        .await;
    assert!(preview.contains('B') && preview.contains("70"), "{preview}");
    b.screenshot(&format!("form-{lang}")).await;
    b.go("#application-form button[type=submit]").await;

    let page = b.text("main").await;
    assert!(b.exists(".error-summary").await, "no error summary: {page}");
    let described = b.attr("#f-contract-end_date", "aria-describedby").await;
    assert!(
        described.contains("f-contract-end_date-error"),
        "{described}"
    );
    assert!(b.exists("#f-contract-end_date-error").await);
    let kept = b.attr("#f-foreigner-name", "value").await;
    assert_eq!(kept, "ANNO BERNHARD DEDERICHS");
    b.axe("form with an error").await;
    b.screenshot(&format!("form-error-{lang}")).await;
    let end = start + Days::new(729);
    b.set("#f-contract-end_date", &end.to_string()).await;
    b.go("#application-form button[type=submit]").await;
    let path = b.path().await;
    let (path, done) = path.split_once('?').unwrap_or((&path, ""));
    let id = path.strip_prefix("/web/applications/").unwrap().to_owned();
    assert_eq!(done, "done=created");
    assert_eq!(b.text("#flash").await, text(lang, "done.created"));
    assert_eq!(b.text("#status").await, text(lang, "status.draft"));
    b.axe("application, draft").await;
    id
}

/// The officer who accepted is told before deciding, and refused on trying:
/// no outcome is chosen for them, an approval needs its confirmation, and
/// separation of duties bars it.
async fn separation_of_duties_refused(b: &Browser, lang: &str) {
    assert!(b.exists("#separation-notice").await, "told before deciding");
    assert_eq!(
        b.prop("#f-outcome-pass", "checked").await,
        "false",
        "no default"
    );
    b.go(".decision button[type=submit]").await;
    assert!(
        b.exists("#f-outcome-error").await,
        "an outcome must be chosen"
    );
    b.click("#f-outcome-pass").await;
    b.go(".decision button[type=submit]").await;
    assert!(
        b.exists("#f-confirm-error").await,
        "the approval must be confirmed"
    );
    b.axe("decision without confirmation").await;
    b.click("#f-outcome-pass").await;
    b.click("#f-confirm").await;
    b.go(".decision button[type=submit]").await;
    let refusal = text(lang, "error.separation_of_duties");
    assert!(
        b.text("main").await.contains(&refusal),
        "refused: {refusal}"
    );
    assert_eq!(
        b.text("#status").await,
        text(lang, "status.preliminary_reviewed")
    );
    b.axe("separation of duties refused").await;
}

/// The officer returns the application (a comment is required, and the
/// error says so at the field); the employer edits and resubmits.
async fn return_and_answer(b: &Browser, s: &Server, lang: &str, id: &str) {
    b.click("#f-outcome-return").await;
    b.go(".decision button[type=submit]").await;
    assert!(b.exists("#f-comment-error").await, "comment required");
    b.axe("decision with an error").await;
    b.click("#f-outcome-return").await;
    b.fill("#f-comment", "请补充职位描述").await;
    b.go(".decision button[type=submit]").await;
    assert_eq!(
        b.text("#status").await,
        text(lang, "status.returned_for_update")
    );
    b.sign_out().await;

    b.sign_in(&s.base, AGENT).await;
    b.go(&format!("main table a[href='/web/applications/{id}']"))
        .await;
    b.go(&format!("a[href='/web/applications/{id}/edit']"))
        .await;
    b.axe("edit form").await;
    assert_eq!(b.attr("#f-position", "value").await, "Professor");
    b.fill("#f-position", "Professor of Physics").await;
    b.go("#application-form button[type=submit]").await;
    b.go("form[action$='/submit'] button").await;
    assert_eq!(b.text("#status").await, text(lang, "status.submitted"));
    b.sign_out().await;

    b.sign_in(&s.base, OFFICER).await;
    b.goto(&s.url(&format!("/web/applications/{id}"))).await;
}

#[tokio::test]
async fn admin_pages_register_an_employer_and_pass_axe() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    b.goto(&s.url("/web/lang/en?next=/web/sign-in")).await;
    b.sign_in(&s.base, "admin").await;
    assert_eq!(b.path().await, "/web/admin/employers");
    b.axe("employers").await;
    b.fill("#f-uscc", "91350100M000100Y44").await;
    b.fill("#f-name", "Pearl River Labs").await;
    b.fill("#f-region_code", "440106").await;
    b.fill("#f-address", "2 River Road").await;
    b.go("#employer-form button[type=submit]").await;
    assert!(b.exists("#f-uscc-error").await, "bad check character shown");
    assert_eq!(b.attr("#f-name", "value").await, "Pearl River Labs");
    b.axe("employers with an error").await;
    b.fill("#f-uscc", "91350100M000100Y43").await;
    b.go("#employer-form button[type=submit]").await;
    assert!(b.text("main table").await.contains("Pearl River Labs"));
    b.fill("#f-q", "91350100M000100Y43").await;
    b.go("#list-filters button[type=submit]").await;
    assert!(
        b.text("#employers").await.contains("Pearl River Labs"),
        "found by USCC"
    );
    assert!(b.exists("#list-count").await, "the count");
    b.axe("employers, searched").await;
    b.goto(&s.url("/web/admin/users")).await;
    assert!(
        b.text("#users").await.contains("admin"),
        "the accounts themselves"
    );
    b.axe("users").await;
    b.goto(&s.url("/web/admin/audit?action=employer.created"))
        .await;
    assert!(b.text("main table").await.contains("employer.created"));
    b.axe("audit").await;
    b.screenshot("audit-en").await;
    b.finish().await;
}
