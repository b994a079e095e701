//! Materials on the application page: upload (multipart, CSRF-checked, typed
//! by content), the list with download links for the employer and the
//! officer, refusals at the file field; and the same in a real browser.

use chrono::{Days, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use zhengka_store::{AuditFilter, Store};

use crate::browser::{self, text};
use crate::http::{client, signed_in};
use crate::server::{AGENT, OFFICER, Server};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn form() -> Value {
    let start = Utc::now().date_naive() + Days::new(20);
    json!({
        "kind": "new_from_abroad",
        "foreigner": { "name": "MARIA SILVA", "nationality": "BRA", "sex": "female",
                       "date_of_birth": "1980-03-04", "passport_number": "MP1234567" },
        "position": "Engineer",
        "contract": { "start_date": start, "end_date": start + Days::new(729),
                      "annual_salary_cny": 300000, "work_location_region": "440106" },
        "scoring": { "education": "doctorate", "related_experience_years": 10,
                     "months_per_year_in_china": 12, "chinese_language": "hsk3" }
    })
}

async fn page(s: &Server, c: &Client, cookie: &str, id: &str) -> (String, String) {
    let r = c
        .get(s.url(&format!("/web/applications/{id}")))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or("")
        .to_owned();
    (html, csrf)
}

/// A multipart/form-data body as a browser sends it.
fn multipart(csrf: &str, kind: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----zhengkaTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf), ("kind", kind)] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    s: &Server,
    c: &Client,
    cookie: &str,
    id: &str,
    (content_type, body): (String, Vec<u8>),
) -> (StatusCode, String) {
    let r = c
        .post(s.url(&format!("/web/applications/{id}/materials")))
        .header("cookie", cookie)
        .header("accept-language", "en")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    match r.headers().get("location") {
        Some(l) => (status, l.to_str().unwrap().to_owned()),
        None => (status, r.text().await.unwrap()),
    }
}

async fn audit_count(s: &Server) -> usize {
    let f = AuditFilter {
        limit: 100_000,
        ..AuditFilter::default()
    };
    s.store.audit_events(&f).await.unwrap().len()
}

#[tokio::test]
async fn upload_list_download_and_refusals_on_the_page() {
    let s = Server::spawn().await;
    s.cast().await;
    let a = s.api_as("/api/v1/applications", AGENT, form()).await;
    let id = a["id"].as_str().unwrap();
    let c = client();
    let agent = signed_in(&s, &c, AGENT).await;
    let officer = signed_in(&s, &c, OFFICER).await;

    let (html, csrf) = page(&s, &c, &agent, id).await;
    assert!(html.contains("id=\"material-form\"") && html.contains("id=\"materials-none\""));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let (status, location) = upload(
        &s,
        &c,
        &agent,
        id,
        multipart(&csrf, "passport_copy", "passport.pdf", PDF),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert_eq!(
        location,
        format!("/web/applications/{id}?done=uploaded#materials")
    );

    // The officer sees the list and the link, not the form.
    let (html, _) = page(&s, &c, &officer, id).await;
    assert!(html.contains("passport.pdf") && !html.contains("id=\"material-form\""));
    let link = html
        .split("class=\"material-link\"")
        .next()
        .and_then(|h| h.rsplit("href=\"").next())
        .and_then(|h| h.split('"').next())
        .unwrap()
        .to_owned();
    assert!(link.starts_with(&format!("/web/applications/{id}/materials/")));
    let r = c
        .get(s.url(&link))
        .header("cookie", &officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let r = c.get(s.url(&link)).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "signed out: to the sign-in page"
    );

    // Refusals: shown at the file field, nothing written.
    let before = audit_count(&s).await;
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    let (status, html) = upload(
        &s,
        &c,
        &agent,
        id,
        multipart(&csrf, "passport_copy", "scan.pdf", exe),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"f-file-error\""), "{html}");
    assert!(html.contains(&text("en", "error.unsupported_file_type")));
    assert!(
        html.contains("href=\"#f-file\""),
        "the summary links the field"
    );
    let mut big = PDF.to_vec();
    big.resize(5 * 1024 * 1024 + 10, b' ');
    let (status, html) = upload(
        &s,
        &c,
        &agent,
        id,
        multipart(&csrf, "passport_copy", "big.pdf", &big),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(&text("en", "error.file_too_large")));
    big.resize(7 * 1024 * 1024, b' ');
    let (status, html) = upload(
        &s,
        &c,
        &agent,
        id,
        multipart(&csrf, "passport_copy", "big.pdf", &big),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "over the body limit"
    );
    assert!(html.contains(&text("en", "error.file_too_large")));
    let (status, _) = upload(
        &s,
        &c,
        &agent,
        id,
        multipart("", "passport_copy", "p.pdf", PDF),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF token");
    let (_, officer_csrf) = page(&s, &c, &officer, id).await;
    let (status, _) = upload(
        &s,
        &c,
        &officer,
        id,
        multipart(&officer_csrf, "photo", "p.pdf", PDF),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "officers do not upload");
    assert_eq!(audit_count(&s).await, before);

    // Submitted: the form is gone, and a post is refused.
    s.api_as(
        &format!("/api/v1/applications/{id}/submit"),
        AGENT,
        json!({}),
    )
    .await;
    let (html, _) = page(&s, &c, &agent, id).await;
    assert!(!html.contains("id=\"material-form\"") && html.contains("passport.pdf"));
    let (status, html) = upload(&s, &c, &agent, id, multipart(&csrf, "photo", "p.pdf", PDF)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains(&text("en", "error.not_editable")));
}

#[tokio::test]
async fn materials_in_the_browser_in_both_languages() {
    let Some(b) = browser::start().await else {
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let a = s.api_as("/api/v1/applications", AGENT, form()).await;
    let id = a["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("contract.pdf");
    std::fs::write(&good, PDF).unwrap();
    let renamed = dir.path().join("tool.pdf");
    std::fs::write(&renamed, b"MZ\x90\x00\x03\x00\x00\x00").unwrap();

    b.sign_in(&s.base, AGENT).await;
    for lang in ["en", "zh-CN"] {
        b.goto(&s.url(&format!("/web/lang/{lang}?next=/web/applications/{id}")))
            .await;
        assert_eq!(b.attr("html", "lang").await, lang);
        b.axe("application with the upload form").await;
        b.select("#f-kind", "employment_contract").await;
        b.find("#f-file")
            .await
            .send_keys(renamed.to_str().unwrap())
            .await
            .unwrap();
        b.go("#material-form button[type=submit]").await;
        assert_eq!(
            b.text("#f-file-error").await,
            text(lang, "error.unsupported_file_type")
        );
        b.axe("upload refused").await;
        assert_eq!(
            b.prop("#f-kind", "value").await,
            "employment_contract",
            "kept"
        );
        b.find("#f-file")
            .await
            .send_keys(good.to_str().unwrap())
            .await
            .unwrap();
        b.go("#material-form button[type=submit]").await;
        assert!(
            b.text("#materials-table")
                .await
                .contains(&text(lang, "material.employment_contract"))
        );
        b.axe("application with materials").await;
        b.screenshot(&format!("materials-{lang}")).await;
    }
    let href = b.attr("#materials-table a.material-link", "href").await;
    let path = href.trim_start_matches(&s.base).to_owned();
    assert_eq!(b.fetch_head(&path).await, "200 application/pdf %PDF-");
    b.sign_out().await;
    b.sign_in(&s.base, OFFICER).await;
    b.goto(&s.url(&format!("/web/applications/{id}"))).await;
    assert!(!b.exists("#material-form").await);
    assert_eq!(
        b.client
            .find_all(fantoccini::Locator::Css("a.material-link"))
            .await
            .unwrap()
            .len(),
        2
    );
    b.axe("application, officer, materials").await;
    b.finish().await;
}
