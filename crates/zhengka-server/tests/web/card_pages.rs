//! The card side's pages over plain HTTP: start pages and roles, CSRF on every
//! new form (the multipart upload too), labels, refusals at their fields, the
//! batch file served to a signed-in officer as the API serves it, and paging.

use chrono::{Days, Utc};
use reqwest::{Client, StatusCode};
use serde_json::json;

use crate::browser::text;
use crate::http::{client, signed_in};
use crate::server::{AGENT, CARD, OFFICER, SS, Server};

const SS_PAGES: [&str; 3] = [
    "/web/social-security/accounts",
    "/web/social-security/enrol",
    "/web/social-security/due",
];
const CARD_PAGES: [&str; 4] = [
    "/web/cards",
    "/web/cards/new",
    "/web/cards/window",
    "/web/card-batches",
];

async fn get(s: &Server, c: &Client, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = c.get(s.url(path)).header("cookie", cookie);
    let r = r.header("accept-language", "en").send().await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or(r.text().await.unwrap()))
}

async fn post(
    s: &Server,
    c: &Client,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = c
        .post(s.url(path))
        .header("cookie", cookie)
        .header("accept-language", "en");
    let r = r.form(form).send().await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or(r.text().await.unwrap()))
}

fn csrf_of(html: &str) -> String {
    let rest = html.split("name=\"csrf\" value=\"").nth(1).expect("a form");
    rest.split('"').next().unwrap().to_owned()
}

/// Every input of the page has a label.
fn labelled(path: &str, html: &str) {
    for id in html
        .split(" id=\"f-")
        .skip(1)
        .filter_map(|r| r.split('"').next())
    {
        let input = html.contains(&format!("<input id=\"f-{id}\""))
            || html.contains(&format!("<textarea id=\"f-{id}\""));
        assert!(
            !input || html.contains(&format!("for=\"f-{id}\"")),
            "{path}: f-{id} has no label"
        );
    }
}

#[tokio::test]
async fn card_side_pages_are_for_their_roles_and_refuse_posts_without_the_token() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let ss = signed_in(&s, &c, SS).await;
    let card = signed_in(&s, &c, CARD).await;
    let agent = signed_in(&s, &c, AGENT).await;
    assert_eq!(get(&s, &c, &ss, "/web/").await.1, SS_PAGES[0]);
    assert_eq!(get(&s, &c, &card, "/web/").await.1, CARD_PAGES[0]);
    for (own, other, pages) in [(&ss, &card, &SS_PAGES[..]), (&card, &ss, &CARD_PAGES[..])] {
        for path in pages {
            let (status, html) = get(&s, &c, own, path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            labelled(path, &html);
            assert_eq!(
                get(&s, &c, other, path).await.0,
                StatusCode::FORBIDDEN,
                "{path}"
            );
            assert_eq!(
                get(&s, &c, &agent, path).await.0,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
    // The right role, no token or another session's token: refused.
    let (_, html) = get(&s, &c, &agent, "/web/applications").await;
    let foreign = csrf_of(&html);
    let posts = [
        (&ss, "/web/social-security/enrol"),
        (&ss, "/web/social-security/accounts/search"),
        (&card, "/web/cards/new"),
        (&card, "/web/cards/window"),
        (&card, "/web/cards/ZK0000000000/events"),
        (&card, "/web/card-batches"),
    ];
    for (cookie, path) in posts {
        for token in ["", foreign.as_str()] {
            let (status, _) =
                post(&s, &c, cookie, path, &[("csrf", token), ("type", "lost")]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} with {token:?}");
        }
    }
    let boundary = "----zhengkaCardBoundary";
    for token in ["", foreign.as_str()] {
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.jsonl\"\r\nContent-Type: application/x-ndjson\r\n\r\n{{}}\r\n--{boundary}--\r\n"
        );
        let r = c
            .post(s.url("/web/card-batches/B1/result"))
            .header("cookie", &card)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "upload with {token:?}");
    }
}

#[tokio::test]
async fn refusals_are_shown_at_their_fields_and_the_batch_file_is_the_apis() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let ss = signed_in(&s, &c, SS).await;
    let card = signed_in(&s, &c, CARD).await;
    let (_, html) = get(&s, &c, &ss, "/web/social-security/enrol").await;
    let csrf = csrf_of(&html);
    let today = Utc::now().date_naive().to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("permit_number", "GD9999999999"),
        ("name", "ANNA X"),
        ("start_date", &today),
    ];
    let (status, html) = post(&s, &c, &ss, "/web/social-security/enrol", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-permit_number-error\"")
            && html.contains(&text("en", "error.permit_not_found")),
        "{html}"
    );
    assert!(
        html.contains("href=\"#f-permit_number\""),
        "the summary links the field"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "ANNA X"),
        ("start_date", &today),
    ];
    let (status, html) = post(&s, &c, &ss, "/web/social-security/enrol", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-permit_number-error\""),
        "permit number or QR required"
    );

    // A holder through the API, applied for through the page, batched.
    let permit = s.approved_from_abroad("CP0000001").await;
    let number = permit["permit_number"].as_str().unwrap();
    let p = s.api_get(&format!("/api/v1/permits/{number}"), SS).await;
    let body =
        json!({ "permit_number": number, "name": "MARIA SILVA", "start_date": p["valid_from"] });
    s.api_as("/api/v1/social-security/enrolments", SS, body)
        .await;
    let (_, html) = get(&s, &c, &card, "/web/cards/new").await;
    let csrf = csrf_of(&html);
    let (status, html) = post(
        &s,
        &c,
        &card,
        "/web/cards/new",
        &[
            ("csrf", &csrf),
            ("holder", "GD0000000001"),
            ("bank_code", "ICBC"),
            ("handover", "service_hall"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-holder-error\"")
            && html.contains(&text("en", "error.account_not_found")),
        "{html}"
    );
    let (status, location) = post(
        &s,
        &c,
        &card,
        "/web/cards/new",
        &[
            ("csrf", &csrf),
            ("holder", number),
            ("bank_code", "ICBC"),
            ("handover", "service_hall"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/web/cards/ZK") && location.ends_with("?done=applied"));
    let (status, location) = post(&s, &c, &card, "/web/card-batches", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let batch = location
        .trim_start_matches("/web/card-batches/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (status, html) = post(&s, &c, &card, "/web/card-batches", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains(&text("en", "error.nothing_to_batch")));

    let page = c
        .get(s.url(&format!("/web/card-batches/{batch}/file")))
        .header("cookie", &card)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page_sha = page.headers()["x-zhengka-sha256"]
        .to_str()
        .unwrap()
        .to_owned();
    let page_bytes = page.bytes().await.unwrap();
    let token = s.api_login(CARD).await;
    let api = c
        .get(s.url(&format!("/api/v1/card-batches/{batch}/file")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        api.headers()["x-zhengka-sha256"].to_str().unwrap(),
        page_sha
    );
    assert_eq!(api.bytes().await.unwrap(), page_bytes, "the same bytes");
    let ss_file = get(&s, &c, &ss, &format!("/web/card-batches/{batch}/file")).await;
    assert_eq!(ss_file.0, StatusCode::FORBIDDEN, "card officers only");
}

#[tokio::test]
async fn the_accounts_and_the_card_queue_page_with_their_cursor() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let officer = s.api_login(OFFICER).await;
    let ss_token = s.api_login(SS).await;
    let card_token = s.api_login(CARD).await;
    let me = s.api_get("/api/v1/users/me", AGENT).await;
    let today = Utc::now().date_naive();
    for i in 0..21 {
        let number = format!("4401062019000001{i:02}");
        let body = json!({ "employer_id": me["employer_id"], "permit_number": number, "class": "B",
            "position": "Engineer", "valid_from": today - Days::new(3), "valid_to": today + Days::new(300),
            "foreigner": { "name": format!("HOLDER {}", (b'A' + i) as char), "nationality": "JPN", "sex": "male",
                           "date_of_birth": "1985-03-03", "passport_number": format!("PG00000{i:02}") } });
        s.api("/api/v1/permits", &officer, body).await;
        let body = json!({ "permit_number": number, "name": format!("HOLDER {}", (b'A' + i) as char), "start_date": today });
        s.api("/api/v1/social-security/enrolments", &ss_token, body)
            .await;
    }
    let ss = signed_in(&s, &c, SS).await;
    let (_, html) = get(&s, &c, &ss, "/web/social-security/accounts").await;
    assert_eq!(
        html.matches("href=\"/web/social-security/accounts/")
            .count(),
        20
    );
    let next = html
        .split("id=\"next-page\" href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let (status, html) = get(&s, &c, &ss, &next.replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        html.matches("href=\"/web/social-security/accounts/")
            .count(),
        1
    );
    assert!(!html.contains("id=\"next-page\""));
    let (status, _) = get(&s, &c, &ss, "/web/social-security/accounts?cursor=nonsense").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a made-up cursor is refused"
    );
}
