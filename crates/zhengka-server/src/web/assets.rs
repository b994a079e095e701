//! Static files (embedded) and the security headers of every page.

use axum::extract::{Path, Request};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../static/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/app.js"),
    ),
    (
        "keep-form.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/keep-form.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../static/favicon.svg"),
    ),
    (
        "scan.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/scan.js"),
    ),
    (
        "ecard-qr.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/ecard-qr.js"),
    ),
    (
        "ecard.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/ecard.js"),
    ),
    (
        "selfie.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/selfie.js"),
    ),
];

/// Third-party files, each with its license (see `static/vendor/README.md`).
const VENDOR: &[(&str, &str, &str)] = &[
    (
        "jsQR.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/vendor/jsQR.js"),
    ),
    (
        "jsQR.LICENSE",
        "text/plain; charset=utf-8",
        include_str!("../../static/vendor/jsQR.LICENSE"),
    ),
    (
        "qrcode-generator.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/vendor/qrcode-generator.js"),
    ),
    (
        "qrcode-generator.LICENSE",
        "text/plain; charset=utf-8",
        include_str!("../../static/vendor/qrcode-generator.LICENSE"),
    ),
];

/// No inline script or style anywhere: everything comes from `/web/static`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; \
    base-uri 'none'; object-src 'none'";

/// `GET /web/static/{file}`
pub async fn file(Path(name): Path<String>) -> Response {
    serve(FILES, &name)
}

/// `GET /favicon.ico`: browsers ask for it whatever the page says; the same
/// picture as the pages' icon.
pub async fn favicon() -> Response {
    serve(FILES, "favicon.svg")
}

/// `GET /web/static/vendor/{file}`
pub async fn vendor(Path(name): Path<String>) -> Response {
    serve(VENDOR, &name)
}

fn serve(files: &[(&str, &'static str, &'static str)], name: &str) -> Response {
    match files.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (CONTENT_TYPE, *mime),
                (CACHE_CONTROL, "public, max-age=300"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    secure(next.run(req).await)
}

/// `response` with the headers every page carries.
pub fn secure(mut response: Response) -> Response {
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", CONTENT_SECURITY_POLICY);
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    if !h.contains_key(CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    response
}
