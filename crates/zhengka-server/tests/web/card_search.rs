//! The card officer finds a card by card number, permit number or SSN (the
//! newest card of that holder opens) or by name (a list).

use reqwest::StatusCode;

use crate::browser::text;
use crate::card_pages::{applied, enrolled, post};
use crate::http::{client, signed_in};
use crate::server::{CARD, Server};

#[tokio::test]
async fn a_card_is_found_by_number_or_by_name() {
    let s = Server::spawn().await;
    s.cast().await;
    let c = client();
    let number = enrolled(&s).await;
    let card = signed_in(&s, &c, CARD).await;
    let (csrf, card_page) = applied(&s, &c, &card, &number).await;
    let (status, to) = post(
        &s,
        &c,
        &card,
        "/web/cards/search",
        &[("csrf", &csrf), ("q", &number)],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, card_page.as_str()),
        "a permit number opens the card"
    );
    let card_number = card_page.trim_start_matches("/web/cards/").to_owned();
    let (status, to) = post(
        &s,
        &c,
        &card,
        "/web/cards/search",
        &[("csrf", &csrf), ("q", &card_number)],
    )
    .await;
    assert_eq!(
        (status, to.as_str()),
        (StatusCode::SEE_OTHER, card_page.as_str())
    );
    let (status, html) = post(
        &s,
        &c,
        &card,
        "/web/cards/search",
        &[("csrf", &csrf), ("q", "maria")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&card_number), "a name lists the card");
    let (status, html) = post(
        &s,
        &c,
        &card,
        "/web/cards/search",
        &[("csrf", &csrf), ("q", "NOBODY HERE")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("id=\"f-q-error\"") && html.contains(&text("en", "error.no_card_found")),
        "{html}"
    );
}
