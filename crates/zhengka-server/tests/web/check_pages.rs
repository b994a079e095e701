//! The purpose-bound pages over plain HTTP: a police officer and a hospital's
//! member verify the same holder's live QR on `/web/verify` and see only
//! their purpose's fields; a replay is refused in words; the hospital records
//! a service use; the holder's "who checked my card" page lists every check
//! and the use in both languages; a share code made on the holder's page
//! verifies once on an employer's page; `/web/check` tells anyone only valid
//! and the last four, logs it for the holder, and answers 429 over the limit.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use zhengka_credential::claims::cnf;
use zhengka_credential::{Algorithm, SigningKey, present};
use zhengka_store::VerificationLogStore;

use crate::browser::text;
use crate::ecard_qr::holder_with_card;
use crate::http::{client, signed_in};
use crate::server::{PASSWORD, POLICE, Server};

pub const NURSE: &str = "nurse.gz";
pub const HR: &str = "hr.abroad";
pub const HOSPITAL: &str = "Guangzhou First People's Hospital";

/// The value of the first `name="{name}" value="…"` on a page.
pub fn value_of(html: &str, name: &str) -> String {
    html.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        .to_owned()
}

pub async fn get(
    s: &Server,
    c: &Client,
    cookie: &str,
    path: &str,
    lang: &str,
) -> (StatusCode, String) {
    let r = c
        .get(s.url(path))
        .header("cookie", cookie)
        .header("accept-language", lang)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

pub async fn post(
    s: &Server,
    c: &Client,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = c
        .post(s.url(path))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// An organisation registered for `purposes` with one member `username`.
pub async fn organisation(s: &Server, name: &str, sector: &str, purposes: &[&str], username: &str) {
    let body = json!({ "name": name, "sector": sector, "region_code": "440100",
                       "purposes": purposes, "rate_limit_per_minute": 600 });
    let org = s.api("/api/v1/relying-parties", &s.admin_token, body).await;
    let path = format!(
        "/api/v1/relying-parties/{}/members",
        org["id"].as_str().unwrap()
    );
    let member = json!({ "username": username, "password": PASSWORD });
    s.api(&path, &s.admin_token, member).await;
}

/// The holder's phone: a bound device key and its card credential.
pub struct Phone {
    key: SigningKey,
    cose: Vec<u8>,
}

impl Phone {
    pub async fn bind(s: &Server, holder: &str) -> Self {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let public = STANDARD.encode(cnf::encode_key(key.public_key()));
        let token = s.api_login(holder).await;
        let body = json!({ "public_key": public, "name": "phone" });
        let bound = s.api("/api/v1/ecard/devices", &token, body).await;
        let cose = bound["card_credential"]["cose"].as_str().unwrap();
        Self {
            key,
            cose: STANDARD.decode(cose).unwrap(),
        }
    }

    /// A fresh live QR, as the e-card page draws it.
    pub fn qr(&self) -> String {
        present(&self.cose, &self.key, Utc::now().timestamp())
            .unwrap()
            .qr
    }
}

/// A text as the page escapes it.
pub fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('\'', "&#x27;")
        .replace('"', "&quot;")
}

fn has(html: &str, id: &str) -> bool {
    html.contains(&format!("id=\"{id}\""))
}

#[tokio::test]
async fn police_and_a_hospital_see_their_fields_and_the_holder_reads_both() {
    let s = Server::spawn().await;
    s.cast().await;
    let (number, _card) = holder_with_card(&s).await;
    let phone = Phone::bind(&s, &number).await;
    organisation(&s, HOSPITAL, "healthcare", &["healthcare"], NURSE).await;
    let service = json!({ "code": "GZ-HOSP-REG", "sector": "healthcare", "purpose": "healthcare",
        "name_zh": "门诊挂号", "name_en": "Outpatient registration",
        "provider": HOSPITAL, "region_code": "440100" });
    s.api("/api/v1/services", &s.admin_token, service).await;
    let c = client();

    // The police: their two purposes, three ways, the full permit.
    let police = signed_in(&s, &c, POLICE).await;
    let (status, html) = get(&s, &c, &police, "/web/verify", "en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"residence_permit\"") && html.contains("value=\"inspection\""));
    assert!(
        !html.contains("value=\"healthcare\""),
        "not a police purpose"
    );
    assert!(has(&html, "f-qr") && has(&html, "f-permit_number") && has(&html, "scan-file"));
    assert!(!has(&html, "f-share_code"));
    let csrf = value_of(&html, "csrf");
    let qr = phone.qr();
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "residence_permit"),
        ("qr", qr.as_str()),
        ("reason", "identity_check"),
    ];
    let (status, html) = post(&s, &c, &police, "/web/verify", &form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("data-verdict=\"valid\""), "{html}");
    assert!(html.contains("<dd id=\"v-passport_number\">EQ7654321</dd>"));
    assert!(html.contains(&format!("<dd id=\"v-permit_number\">{number}</dd>")));
    assert!(
        html.contains("<dd id=\"v-sex\">Female</dd>"),
        "values in words"
    );
    assert!(!has(&html, "v-ssn") && !has(&html, "v-medical_insurance"));
    assert!(!has(&html, "service-form"), "no service for the police");
    // By permit number and name: a wrong name is refused in words.
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "inspection"),
        ("permit_number", number.as_str()),
        ("name", "SOMEONE ELSE"),
        ("reason", "identity_check"),
    ];
    let (_, html) = post(&s, &c, &police, "/web/verify", &form).await;
    assert!(html.contains("data-verdict=\"name_mismatch\""), "{html}");
    assert!(html.contains(&esc(&text("en", "rejection.name_mismatch"))));
    assert!(!has(&html, "v-holder_name"));

    // The hospital: one purpose, the live QR only, name, SSN and insurance.
    let nurse = signed_in(&s, &c, NURSE).await;
    let (_, html) = get(&s, &c, &nurse, "/web/verify", "en").await;
    assert!(has(&html, "f-qr") && !has(&html, "f-permit_number") && !has(&html, "f-share_code"));
    assert!(
        !has(&html, "purpose-form"),
        "one purpose, nothing to choose"
    );
    let csrf = value_of(&html, "csrf");
    let qr = phone.qr();
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "healthcare"),
        ("qr", qr.as_str()),
    ];
    let (status, html) = post(&s, &c, &nurse, "/web/verify", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-verdict=\"valid\""), "{html}");
    assert!(html.contains("<dd id=\"v-holder_name\">LENA FISCHER</dd>"));
    assert!(html.contains(&format!(
        "<dd id=\"v-medical_insurance\">{}</dd>",
        text("en", "verify.medical.active")
    )));
    assert!(has(&html, "v-ssn"));
    for hidden in [
        "v-passport_number",
        "v-permit_number",
        "v-date_of_birth",
        "v-employer_name",
    ] {
        assert!(!has(&html, hidden), "{hidden} shown to a hospital");
    }
    assert!(!html.contains("EQ7654321"), "no passport number anywhere");
    let verification_id = value_of(&html, "verification_id");
    assert!(html.contains("value=\"GZ-HOSP-REG\""));
    // The same QR again: a replay, in words, no fields.
    let (_, again) = post(&s, &c, &nurse, "/web/verify", &form).await;
    assert!(
        again.contains("data-verdict=\"replayed_or_stale_presentation\""),
        "{again}"
    );
    assert!(!has(&again, "v-holder_name"));
    // A police purpose is not the hospital's to state.
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "residence_permit"),
        ("qr", qr.as_str()),
    ];
    let (status, _) = post(&s, &c, &nurse, "/web/verify", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The service use, once.
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "healthcare"),
        ("verification_id", verification_id.as_str()),
        ("service_code", "GZ-HOSP-REG"),
    ];
    let (status, html) = post(&s, &c, &nurse, "/web/verify/service-use", &form).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(has(&html, "service-recorded") && html.contains("Outpatient registration"));
    let (status, html) = post(&s, &c, &nurse, "/web/verify/service-use", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(&text("en", "error.service_use_recorded")),
        "{html}"
    );

    // The holder reads every check and the use, in both languages.
    let holder = signed_in(&s, &c, &number).await;
    let (_, home) = get(&s, &c, &holder, "/web/ecard", "en").await;
    assert!(
        home.contains("href=\"/web/ecard/verifications\"")
            && home.contains("href=\"/web/ecard/share-codes\"")
    );
    let (status, html) = get(&s, &c, &holder, "/web/ecard/verifications", "en").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.matches("class=\"notification check-row\"").count(),
        3,
        "{html}"
    );
    assert_eq!(html.matches("data-result=\"valid\"").count(), 2);
    assert!(html.contains(&text("en", "checks.org.police")) && html.contains(&esc(HOSPITAL)));
    assert!(html.contains(&text("en", "purpose_name.healthcare")));
    assert!(html.contains(&text("en", "purpose_name.residence_permit")));
    assert!(html.contains(&text("en", "rejection.replayed_or_stale_presentation")));
    assert!(html.contains("UTC+08:00"), "times in the deployment's zone");
    assert!(html.contains("Outpatient registration"), "the service use");
    let (_, zh) = get(&s, &c, &holder, "/web/ecard/verifications", "zh-CN").await;
    assert!(zh.contains(&text("zh", "checks.org.police")) && zh.contains("门诊挂号"));
    assert!(zh.contains(&text("zh", "purpose_name.healthcare")));
    // Only the holder's own: the nurse has no such page.
    let (status, _) = get(&s, &c, &nurse, "/web/ecard/verifications", "en").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_share_code_from_the_holder_page_verifies_once_for_an_employer() {
    let s = Server::spawn().await;
    s.cast().await;
    let approved = s.approved_from_abroad("SC1234567").await;
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    s.register_holder(&number, "Maria Silva").await;
    organisation(
        &s,
        "Overseas Hiring Ltd",
        "employer",
        &["employer_right_to_work"],
        HR,
    )
    .await;
    let c = client();

    let holder = signed_in(&s, &c, &number).await;
    let (_, html) = get(&s, &c, &holder, "/web/ecard/share-codes", "en").await;
    assert!(has(&html, "earlier-empty"), "{html}");
    let csrf = value_of(&html, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "employer_right_to_work"),
    ];
    let (status, html) = post(&s, &c, &holder, "/web/ecard/share-codes", &form).await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let code = html
        .split("id=\"share-code\"")
        .nth(1)
        .and_then(|r| r.split('>').nth(1))
        .and_then(|r| r.split('<').next())
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 11, "{code}");
    assert!(html.contains("UTC+08:00"), "the expiry in the zone");
    let (_, later) = get(&s, &c, &holder, "/web/ecard/share-codes", "en").await;
    assert!(!later.contains(&code), "the code is shown only once");
    assert!(later.contains("data-state=\"open\""));

    let hr = signed_in(&s, &c, HR).await;
    let (_, page) = get(&s, &c, &hr, "/web/verify", "en").await;
    assert!(has(&page, "f-share_code") && !has(&page, "f-qr") && !has(&page, "f-permit_number"));
    let csrf = value_of(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("purpose", "employer_right_to_work"),
        ("share_code", code.as_str()),
    ];
    let (status, html) = post(&s, &c, &hr, "/web/verify", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-verdict=\"valid\""), "{html}");
    assert!(html.contains("<dd id=\"v-permit_class\">B</dd>") && has(&html, "v-holder_name"));
    assert!(
        !has(&html, "v-passport_number")
            && !has(&html, "v-date_of_birth")
            && !has(&html, "v-permit_number")
    );
    let (_, again) = post(&s, &c, &hr, "/web/verify", &form).await;
    assert!(
        again.contains("data-verdict=\"share_code_used\""),
        "{again}"
    );
    assert!(again.contains(&text("en", "rejection.share_code_used")));

    let (_, later) = get(&s, &c, &holder, "/web/ecard/share-codes", "zh-CN").await;
    assert!(
        later.contains("data-state=\"used\"") && later.contains(&text("zh", "share.state.used"))
    );
    let (_, log) = get(&s, &c, &holder, "/web/ecard/verifications", "en").await;
    assert!(
        log.contains("Overseas Hiring Ltd")
            && log.contains(&text("en", "purpose_name.employer_right_to_work"))
    );
}

/// The public page's form: (csrf, pre-session cookie).
async fn public_form(s: &Server, c: &Client) -> (String, String) {
    let r = c.get(s.url("/web/check")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let html = r.text().await.unwrap();
    (value_of(&html, "csrf"), cookie)
}

#[tokio::test]
async fn the_public_check_tells_valid_and_the_last_four_only_and_is_limited() {
    let s = Server::spawn().await;
    s.cast().await;
    let approved = s.approved_from_abroad("PC1234567").await;
    let id = approved["id"].as_str().unwrap();
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    let qr = s.notice_qr(id).await;
    let c = client();
    let (csrf, pre) = public_form(&s, &c).await;
    let send = |form: Vec<(&'static str, String)>| {
        c.post(s.url("/web/check"))
            .header("cookie", &pre)
            .header("accept-language", "en")
            .form(&form)
            .send()
    };
    let r = send(vec![("csrf", csrf.clone()), ("qr", qr.clone())])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let last4 = &number[number.len() - 4..];
    assert!(html.contains("data-verdict=\"valid\""), "{html}");
    assert!(html.contains(&format!(
        "<p id=\"verdict-last4\">Permit number ends in {last4}.</p>"
    )));
    for secret in [
        "MARIA SILVA",
        "PC1234567",
        number.as_str(),
        "Engineer",
        "1980-03-04",
        "Lingnan",
    ] {
        assert!(!html.contains(secret), "{secret} on the public page");
    }
    let r = send(vec![("csrf", csrf.clone()), ("qr", "ZK1:FORGED".into())])
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(html.contains("data-verdict=\"invalid\"") && !html.contains("verdict-last4"));
    let r = send(vec![("csrf", "nope".into()), ("qr", qr.clone())])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "the token is checked");

    // The API: exactly two keys.
    let api = |body: Value| c.post(s.url("/api/v1/public-checks")).json(&body).send();
    let r = api(json!({ "qr": qr })).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({ "valid": true, "permit_number_last4": last4 }));
    let r = api(json!({ "qr": qr, "name": "x" })).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown field"
    );

    // Logged for the holder as the public check.
    let log = s
        .store
        .verifications_for_holder(&number, None, 50)
        .await
        .unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|e| e.purpose == "public_check" && e.organisation_name == "public")
    );

    // 30 checks per address per 10 minutes (3 made): then 429, page and API.
    for _ in 0..27 {
        assert_eq!(
            api(json!({ "qr": qr })).await.unwrap().status(),
            StatusCode::OK
        );
    }
    let r = api(json!({ "qr": qr })).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    let r = send(vec![("csrf", csrf.clone()), ("qr", qr.clone())])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let html = r.text().await.unwrap();
    assert!(html.contains("Too many checks from your network"), "{html}");
    assert!(!html.contains("data-verdict"));

    // The holder's log: 29 public checks, 20 a page, by cursor.
    s.register_holder(&number, "Maria Silva").await;
    let holder = signed_in(&s, &c, &number).await;
    let (_, first) = get(&s, &c, &holder, "/web/ecard/verifications", "en").await;
    assert_eq!(
        first.matches("class=\"notification check-row\"").count(),
        20
    );
    assert!(first.contains(&text("en", "checks.org.public")));
    let next = first
        .split("id=\"next-checks\" href=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let (status, second) = get(&s, &c, &holder, &next, "en").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        second.matches("class=\"notification check-row\"").count(),
        9
    );
    assert!(!second.contains("id=\"next-checks\""));
}

#[tokio::test]
async fn the_admin_registers_an_organisation_issues_a_token_once_and_adds_a_member() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let admin = signed_in(&s, &c, "admin").await;
    let page = "/web/admin/relying-parties";
    let (status, html) = get(&s, &c, &admin, page, "en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(has(&html, "rp-none"));
    assert!(
        !html.contains("value=\"residence_permit\""),
        "no police purpose offered"
    );
    let csrf = value_of(&html, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "City Library"),
        ("sector", "library"),
        ("region_code", "440100"),
    ];
    let (status, html) = post(&s, &c, &admin, page, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no purpose");
    assert!(
        has(&html, "f-purposes-error") || html.contains("error-summary"),
        "{html}"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "City Library"),
        ("sector", "library"),
        ("region_code", "440100"),
        ("purposes", "library"),
    ];
    let r = c
        .post(s.url(page))
        .header("cookie", &admin)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = get(&s, &c, &admin, page, "en").await;
    let id = html
        .split("id=\"rp-")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (status, html) = post(
        &s,
        &c,
        &admin,
        &format!("{page}/{id}/credentials"),
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = html
        .split("id=\"issued-token\" class=\"big-code\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert!(token.starts_with("zkrp_"), "{token}");
    let (_, later) = get(&s, &c, &admin, page, "en").await;
    assert!(!later.contains(&token), "shown once");
    let form = [
        ("csrf", csrf.as_str()),
        ("username", "librarian.gz"),
        ("password", PASSWORD),
    ];
    let r = c
        .post(s.url(&format!("{page}/{id}/members")))
        .header("cookie", &admin)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let librarian = signed_in(&s, &c, "librarian.gz").await;
    let (_, html) = get(&s, &c, &librarian, "/web/verify", "en").await;
    assert!(
        html.contains(&esc(&text("en", "purpose_name.library"))),
        "{html}"
    );
    // The token works on the API until revoked.
    let cid = later
        .split("class=\"credential\" data-id=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let check = json!({ "purpose": "library", "qr": "ZK1:X" });
    let call = || {
        c.post(s.url("/api/v1/verifications"))
            .bearer_auth(&token)
            .json(&check)
            .send()
    };
    assert_ne!(call().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = c
        .post(s.url(&format!("{page}/{id}/credentials/{cid}/revoke")))
        .header("cookie", &admin)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(call().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}
