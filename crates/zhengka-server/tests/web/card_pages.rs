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

pub(crate) async fn get(s: &Server, c: &Client, cookie: &str, path: &str) -> (StatusCode, String) {
    let r = c.get(s.url(path)).header("cookie", cookie);
    let r = r.header("accept-language", "en").send().await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location.unwrap_or(r.text().await.unwrap()))
}

pub(crate) async fn post(
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

pub(crate) fn csrf_of(html: &str) -> String {
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
        (&card, "/web/cards/search"),
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
async fn enrolment_refusals_are_shown_at_their_fields() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let ss = signed_in(&s, &c, SS).await;
    let (_, html) = get(&s, &c, &ss, "/web/social-security/enrol").await;
    let csrf = csrf_of(&html);
    let today = Utc::now().date_naive().to_string();
    let unknown = [
        ("csrf", csrf.as_str()),
        ("permit_number", "GD9999999999"),
        ("name", "ANNA X"),
        ("start_date", &today),
    ];
    let neither = [
        ("csrf", csrf.as_str()),
        ("name", "ANNA X"),
        ("start_date", &today),
    ];
    for (form, key) in [
        (&unknown[..], "error.permit_not_found"),
        (&neither[..], "error.required"),
    ] {
        let (status, html) = post(&s, &c, &ss, "/web/social-security/enrol", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"f-permit_number-error\""), "{html}");
        assert!(html.contains(&text("en", key)), "{key}");
        assert!(
            html.contains("href=\"#f-permit_number\""),
            "the summary links the field"
        );
    }
}

/// An enrolled holder through the API; returns the permit number.
/// Apply for a card of the holder of `number` through the page; returns the
/// form's CSRF token and the card page's path.
pub(crate) async fn applied(s: &Server, c: &Client, card: &str, number: &str) -> (String, String) {
    let (_, html) = get(s, c, card, "/web/cards/new").await;
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("holder", number),
        ("bank_code", "ICBC"),
        ("handover", "service_hall"),
    ];
    let (status, location) = post(s, c, card, "/web/cards/new", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let card_page = location.split('?').next().unwrap().to_owned();
    (csrf, card_page)
}

pub(crate) async fn enrolled(s: &Server) -> String {
    let permit = s.approved_from_abroad("CP0000001").await;
    let number = permit["permit_number"].as_str().unwrap().to_owned();
    let p = s.api_get(&format!("/api/v1/permits/{number}"), SS).await;
    let body =
        json!({ "permit_number": number, "name": "MARIA SILVA", "start_date": p["valid_from"] });
    s.api_as("/api/v1/social-security/enrolments", SS, body)
        .await;
    number
}

#[tokio::test]
async fn a_card_applied_and_batched_through_the_pages() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let number = enrolled(&s).await;
    let card = signed_in(&s, &c, CARD).await;
    let (_, html) = get(&s, &c, &card, "/web/cards/new").await;
    let csrf = csrf_of(&html);
    let form = [
        ("csrf", csrf.as_str()),
        ("holder", "GD0000000001"),
        ("bank_code", "ICBC"),
        ("handover", "service_hall"),
    ];
    let (status, html) = post(&s, &c, &card, "/web/cards/new", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-holder-error\"")
            && html.contains(&text("en", "error.account_not_found")),
        "{html}"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("holder", &number),
        ("bank_code", "ICBC"),
        ("handover", "service_hall"),
    ];
    let (status, location) = post(&s, &c, &card, "/web/cards/new", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/web/cards/ZK") && location.ends_with("?done=applied"));
    let card_page = location.split('?').next().unwrap().to_owned();
    let (status, location) = post(&s, &c, &card, "/web/card-batches", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    let batch = location
        .trim_start_matches("/web/card-batches/")
        .split('?')
        .next()
        .unwrap();
    let (status, html) = post(&s, &c, &card, "/web/card-batches", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains(&text("en", "error.nothing_to_batch")));
    the_batch_file_is_the_apis(&s, &c, &card, batch).await;
    // Another province's card officer: the card and the batch do not exist.
    s.staff("card.bj", "card_officer", "110000").await;
    let bj = signed_in(&s, &c, "card.bj").await;
    for path in [
        card_page,
        format!("/web/card-batches/{batch}"),
        format!("/web/card-batches/{batch}/file"),
    ] {
        assert_eq!(
            get(&s, &c, &bj, &path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

async fn the_batch_file_is_the_apis(s: &Server, c: &Client, card: &str, batch: &str) {
    let path = format!("/web/card-batches/{batch}/file");
    let page = c
        .get(s.url(&path))
        .header("cookie", card)
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
    let api = c.get(s.url(&format!("/api/v1/card-batches/{batch}/file")));
    let api = api.bearer_auth(token).send().await.unwrap();
    assert_eq!(
        api.headers()["x-zhengka-sha256"].to_str().unwrap(),
        page_sha
    );
    assert_eq!(api.bytes().await.unwrap(), page_bytes, "the same bytes");
    let ss = signed_in(s, c, SS).await;
    assert_eq!(
        get(s, c, &ss, &path).await.0,
        StatusCode::FORBIDDEN,
        "card officers only"
    );
}

/// 21 holders with an account and an applied card, through the API.
async fn twenty_one_cards(s: &Server) {
    let officer = s.api_login(OFFICER).await;
    let ss = s.api_login(SS).await;
    let card = s.api_login(CARD).await;
    let me = s.api_get("/api/v1/users/me", AGENT).await;
    let today = Utc::now().date_naive();
    for i in 0..21u8 {
        let number = format!("4401062019000001{i:02}");
        let name = format!("HOLDER {}", (b'A' + i) as char);
        let body = json!({ "employer_id": me["employer_id"], "permit_number": number, "class": "B",
            "position": "Engineer", "valid_from": today - Days::new(3), "valid_to": today + Days::new(300),
            "foreigner": { "name": name, "nationality": "JPN", "sex": "male",
                           "date_of_birth": "1985-03-03", "passport_number": format!("PG00000{i:02}") } });
        s.api("/api/v1/permits", &officer, body).await;
        let body = json!({ "permit_number": number, "name": name, "start_date": today });
        let account = s.api("/api/v1/social-security/enrolments", &ss, body).await;
        let body = json!({ "ssn": account["ssn"], "bank_code": "BOC", "pickup": "service_hall" });
        s.api("/api/v1/cards", &card, body).await;
    }
}

/// The "next page" link of a list page.
fn next_page(html: &str) -> Option<String> {
    let rest = html.split("id=\"next-page\" href=\"").nth(1)?;
    Some(rest.split('"').next()?.replace("&amp;", "&"))
}

#[tokio::test]
async fn the_accounts_and_the_card_queue_page_with_their_cursor() {
    let s = Server::spawn().await;
    s.cast().await;
    twenty_one_cards(&s).await;
    let c = client();
    let ss = signed_in(&s, &c, SS).await;
    let (_, html) = get(&s, &c, &ss, "/web/social-security/accounts").await;
    let rows = |html: &str| {
        html.matches("href=\"/web/social-security/accounts/")
            .count()
    };
    assert_eq!(rows(&html), 20);
    let (status, html) = get(&s, &c, &ss, &next_page(&html).unwrap()).await;
    assert_eq!((status, rows(&html)), (StatusCode::OK, 1));
    assert!(next_page(&html).is_none());
    let (status, _) = get(&s, &c, &ss, "/web/social-security/accounts?cursor=nonsense").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a made-up cursor is refused"
    );

    let card = signed_in(&s, &c, CARD).await;
    let cards = |html: &str| html.matches("<tr data-card=").count();
    let (_, html) = get(&s, &c, &card, "/web/cards?status=applied").await;
    assert_eq!(cards(&html), 20);
    let next = next_page(&html).unwrap();
    assert!(
        next.starts_with("/web/cards?status=applied&cursor="),
        "the filter is kept: {next}"
    );
    let (_, html) = get(&s, &c, &card, &next).await;
    assert_eq!(cards(&html), 1);
    let (_, html) = get(&s, &c, &card, "/web/cards?overdue=true").await;
    assert!(
        html.contains("id=\"cards-empty\""),
        "nothing is past its promise yet"
    );
}
