//! The web pages, tested as people use them: plain HTTP checks (headers,
//! cookies, CSRF, language) and journeys in headless Chromium driven through
//! chromedriver, with axe-core run on every page. A real server on a free
//! port, a fresh SQLite database per test (`peers.rs` runs on PostgreSQL too
//! when `ZHENGKA_TEST_DATABASE_URL` is set).
//!
//! Chromium comes from Debian's `chromium` and `chromium-driver` packages. When
//! they are missing the browser tests fail under `CI` and say they skipped
//! otherwise.

mod admin_accounts;
mod browser;
mod camera;
mod card_pages;
mod card_search;
mod card_side;
mod check_pages;
mod checks_browser;
mod chrome;
mod cut_over;
mod ecard_http;
mod ecard_journey;
mod ecard_pages;
mod ecard_qr;
#[path = "../api/fake_provider.rs"]
mod fake_provider;
mod forms;
mod http;
mod journey;
mod keys;
mod lists;
mod materials;
mod notifications;
mod peers;
mod permits;
mod readable;
mod resign_in;
mod server;
mod totp;
mod verifier;
