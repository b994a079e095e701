//! A form posted after the session ended (it expired, or was signed out
//! elsewhere): the sign-in page, then the form's own page again with what
//! was typed put back (keep-form.js, the tab's sessionStorage), to check and
//! submit again.

use chrono::{Days, Utc};
use reqwest::StatusCode;

use crate::browser::{self, Browser, text};
use crate::http::{client, signed_in};
use crate::server::{AGENT, OFFICER, PASSWORD, Server};

const FORM: &str = "/web/applications/new?kind=new_from_abroad";
const KEPT: &str = "return sessionStorage.getItem('zk.kept-form');";

/// End the session behind `cookie` on the server, as an expiry would.
async fn end_session(s: &Server, cookie: &str) {
    let token = cookie
        .strip_prefix("zk_session=")
        .expect("a session cookie");
    let r = reqwest::Client::new()
        .delete(s.url("/api/v1/sessions/current"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "sign-out: {}", r.status());
}

fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = html.split(&marker).nth(1).expect("the field");
    let raw = rest.split('"').next().unwrap();
    raw.replace("&#x2f;", "/").replace("&amp;", "&")
}

#[tokio::test]
async fn a_post_without_a_session_signs_in_then_returns_to_the_forms_page() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let cookie = signed_in(&s, &c, AGENT).await;
    let html = c
        .get(s.url(FORM))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = value_of(&html, "csrf");
    assert_eq!(value_of(&html, "zk_page"), FORM);
    // An old success message is not the page to go back to.
    let html = c
        .get(s.url(&format!("{FORM}&done=created")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(value_of(&html, "zk_page"), FORM);
    end_session(&s, &cookie).await;
    let post = |path: &'static str, page: &'static str| {
        let form = [
            ("csrf", csrf.as_str()),
            ("zk_page", page),
            ("kind", "new_from_abroad"),
            ("foreigner.passport_number", "C01X00T47"),
            ("foreigner.name", "ANNO BERNHARD DEDERICHS"),
        ];
        c.post(s.url(path))
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    // The form's own page (GET), not the post's address.
    let r = post("/web/applications/new", FORM).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        to,
        "/web/sign-in?next=/web/applications/new%3Fkind%3Dnew_from_abroad"
    );
    assert!(!to.contains("C01X00T47") && !to.contains("ANNO"), "{to}");
    assert!(r.text().await.unwrap().is_empty(), "nothing typed echoed");
    // A decision posted from the application's page returns to that page.
    let r = post("/web/applications/x/decisions", "/web/applications/x")
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/web/sign-in?next=/web/applications/x"
    );
    // Same-origin pages only, and never the sign-in page itself.
    for page in [
        "//evil.example/web/",
        "https://evil.example/",
        "/web/sign-in?next=/web/x",
        "/api/v1/users/me",
    ] {
        let form = [("csrf", csrf.as_str()), ("zk_page", page)];
        let r = c
            .post(s.url("/web/applications/new"))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        let to = r.headers()["location"].to_str().unwrap();
        // Not one of ours: the post's own address is all there is.
        assert!(
            to == "/web/sign-in?next=/web/applications/new" || to == "/web/sign-in",
            "{page}: {to}"
        );
        assert!(!to.contains("evil") && !to.contains("api"), "{page}: {to}");
    }
    // No cookie at all (signed out in another tab): the same.
    let r = c
        .post(s.url("/web/applications/x/decisions"))
        .form(&[("csrf", "stale"), ("zk_page", "/web/applications/x")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/web/sign-in?next=/web/applications/x"
    );
    // The live points preview (a script's fetch): a bare 401, no redirect
    // to follow and no new pre-session cookie to spoil the sign-in form.
    let r = post("/web/applications/preview", FORM).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.headers().get("location").is_none());
    assert!(r.headers().get("set-cookie").is_none());
    // Signing out with a session that already ended: just the sign-in page.
    let r = c
        .post(s.url("/web/sign-out"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("zk_page", FORM)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/web/sign-in");
    // A live session with a wrong token is still refused (CSRF).
    let live = signed_in(&s, &c, AGENT).await;
    let r = c
        .post(s.url("/web/applications/new"))
        .header("cookie", &live)
        .form(&[("csrf", csrf.as_str()), ("zk_page", FORM)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The public forms refuse a bad token whoever posts it, as before.
    let r = c
        .post(s.url("/web/check"))
        .form(&[
            ("csrf", "stale"),
            ("zk_page", "/web/check"),
            ("qr", "ZK1:X"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// A complete, valid new-from-abroad form.
async fn type_the_form(b: &Browser) {
    let start = Utc::now().date_naive() + Days::new(20);
    b.fill("#f-foreigner-name", "ANNO BERNHARD DEDERICHS").await;
    b.select("#f-foreigner-nationality", "DEU").await;
    b.select("#f-foreigner-sex", "male").await;
    b.set("#f-foreigner-date_of_birth", "1970-05-01").await;
    b.fill("#f-foreigner-passport_number", "C01X00T47").await;
    b.fill("#f-position", "Professor").await;
    b.set("#f-contract-start_date", &start.to_string()).await;
    b.set(
        "#f-contract-end_date",
        &(start + Days::new(700)).to_string(),
    )
    .await;
    b.fill("#f-contract-annual_salary_cny", "300000").await;
    b.fill("#f-contract-work_location_region", "440106").await;
    b.select("#f-scoring-education", "doctorate").await;
    b.fill("#f-scoring-related_experience_years", "10").await;
    b.fill("#f-scoring-months_per_year_in_china", "12").await;
    b.select("#f-scoring-chinese_language", "hsk3").await;
}

/// (field, value) the form shows; the dates are checked apart.
const TYPED: [(&str, &str); 10] = [
    ("#f-foreigner-name", "ANNO BERNHARD DEDERICHS"),
    ("#f-foreigner-nationality", "DEU"),
    ("#f-foreigner-sex", "male"),
    ("#f-foreigner-date_of_birth", "1970-05-01"),
    ("#f-foreigner-passport_number", "C01X00T47"),
    ("#f-position", "Professor"),
    ("#f-contract-annual_salary_cny", "300000"),
    ("#f-contract-work_location_region", "440106"),
    ("#f-scoring-education", "doctorate"),
    ("#f-scoring-chinese_language", "hsk3"),
];

async fn kept(b: &Browser) -> Option<String> {
    let v = b.client.execute(KEPT, vec![]).await.unwrap();
    v.as_str().map(str::to_owned)
}

async fn session_cookie(b: &Browser) -> String {
    let c = b.client.get_named_cookie("zk_session").await.unwrap();
    format!("zk_session={}", c.value())
}

async fn typed_input_survives_a_re_sign_in(b: &Browser, s: &Server, lang: &str) {
    b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/sign-in")))
        .await;
    b.sign_in(&s.base, AGENT).await;
    b.goto(&s.url(FORM)).await;
    type_the_form(b).await;
    // The session ends while the form is open.
    end_session(s, &session_cookie(b).await).await;
    b.go("#application-form button[type=submit]").await;
    let path = b.path().await;
    assert_eq!(
        path, "/web/sign-in?next=/web/applications/new%3Fkind%3Dnew_from_abroad",
        "{lang}"
    );
    assert_eq!(b.attr("html", "lang").await, lang);
    // Kept in the tab only, without the token or anything secret.
    let stored = kept(b).await.expect("the typed form is kept in the tab");
    assert!(stored.contains("C01X00T47"), "{stored}");
    assert!(
        !stored.contains("csrf") && !stored.contains("zk_page"),
        "{stored}"
    );
    b.axe(&format!("sign-in after the session ended, {lang}"))
        .await;
    // A wrong password first: still kept.
    b.fill("#f-username", AGENT).await;
    b.fill("#f-password", "not the password").await;
    b.go("main form button[type=submit]").await;
    assert!(
        kept(b).await.is_some(),
        "{lang}: kept through a failed sign-in: {} {}",
        b.path().await,
        b.text("main").await
    );
    assert!(!kept(b).await.unwrap().contains("not the password"));
    b.fill("#f-password", PASSWORD).await;
    b.go("main form button[type=submit]").await;

    assert_eq!(b.path().await, FORM, "{lang}");
    for (css, value) in TYPED {
        assert_eq!(b.prop(css, "value").await, value, "{lang}: {css}");
    }
    assert!(b.prop("#f-contract-start_date", "value").await.len() == 10);
    let note = b.text("#kept-note").await;
    assert_eq!(note, text(lang, "form.kept_restored"));
    assert_eq!(kept(b).await, None, "forgotten once put back");
    b.axe(&format!("form put back after sign-in, {lang}")).await;
    b.resize(390, 844).await;
    b.axe(&format!("form put back after sign-in, {lang}, 390 px"))
        .await;
    b.resize(1280, 1000).await;

    // Not submitted for them: submitted now, it is filed.
    b.go("#application-form button[type=submit]").await;
    let path = b.path().await;
    assert!(
        path.starts_with("/web/applications/") && path.ends_with("?done=created"),
        "{lang}: {path} {}",
        b.text("main").await
    );
    assert_eq!(kept(b).await, None);
    // The form again: empty, and no note.
    b.goto(&s.url(FORM)).await;
    assert_eq!(b.prop("#f-foreigner-passport_number", "value").await, "");
    assert_eq!(b.prop("#f-foreigner-name", "value").await, "");
    assert!(!b.find("#kept-note").await.is_displayed().await.unwrap());
    b.sign_out().await;
}

#[tokio::test]
async fn typed_input_comes_back_after_signing_in_again_in_both_languages() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    for lang in ["zh-CN", "en"] {
        typed_input_survives_a_re_sign_in(&b, &s, lang).await;
    }
    b.finish().await;
}

/// Someone else signing in at the same tab does not get the first person's
/// typing; a successful post forgets it at once.
#[tokio::test]
async fn typed_input_is_only_put_back_for_the_same_person() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    b.sign_in(&s.base, AGENT).await;
    b.goto(&s.url(FORM)).await;
    type_the_form(&b).await;
    end_session(&s, &session_cookie(&b).await).await;
    b.go("#application-form button[type=submit]").await;
    assert!(kept(&b).await.is_some());
    b.fill("#f-username", OFFICER).await;
    b.fill("#f-password", PASSWORD).await;
    b.go("main form button[type=submit]").await;
    // Back to the page asked for, which is not the officer's.
    assert_eq!(b.path().await, FORM);
    assert_eq!(kept(&b).await, None, "forgotten, not put back");
    assert!(!b.exists("#kept-note:not([hidden])").await);
    b.goto(&s.url("/web/queue?step=submitted")).await;
    assert!(!b.exists("#kept-note:not([hidden])").await);
    b.sign_out().await;

    // The agent again, whose first post goes through: nothing kept.
    b.sign_in(&s.base, AGENT).await;
    b.goto(&s.url(FORM)).await;
    type_the_form(&b).await;
    b.go("#application-form button[type=submit]").await;
    assert!(b.path().await.ends_with("?done=created"));
    assert_eq!(kept(&b).await, None);
    b.finish().await;
}
