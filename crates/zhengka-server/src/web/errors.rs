//! Error pages: every failure a person can meet on `/web/` (an unknown
//! address, a wrong method, our own fault) is a page in their language with
//! a way back, never the browser's blank page.

use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use minijinja::context;

use super::i18n::Lang;
use super::render::{ErrorPage, NeedsSignIn, render};

/// The page for `status` explaining `key`, in `lang`.
pub fn page(lang: Lang, status: StatusCode, key: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "error.title_not_found",
        StatusCode::METHOD_NOT_ALLOWED => "error.title_method",
        s if s.is_server_error() => "error.title_internal",
        _ => "error.title",
    };
    let ctx = context! {
        lang => lang.tag(),
        status => status.as_u16(),
        heading => lang.text(heading),
        message => lang.text(key),
    };
    match render("error.html", ctx) {
        Ok(html) => (status, html).into_response(),
        Err(_) => status.into_response(),
    }
}

/// A bare status from the router itself (no page matched the address or
/// the method, a static file is absent) gets the explanation of its status.
fn bare_key(response: &Response) -> Option<&'static str> {
    if response.headers().contains_key(CONTENT_TYPE) {
        return None;
    }
    match response.status() {
        StatusCode::NOT_FOUND => Some("error.page_not_found"),
        StatusCode::METHOD_NOT_ALLOWED => Some("error.method_not_allowed"),
        s if s.is_server_error() => Some("error.internal"),
        _ => None,
    }
}

/// Render error pages in the language of the request.
pub async fn error_pages(req: Request, next: Next) -> Response {
    let lang = Lang::from_query(req.uri().query()).unwrap_or_else(|| Lang::choose(req.headers()));
    let asked = (req.method() == Method::GET)
        .then(|| req.uri().path_and_query().map(|p| p.as_str().to_owned()))
        .flatten();
    let mut response = next.run(req).await;
    if let Some(path) = asked {
        remember_page(&mut response, &path);
    }
    let key = match response.extensions().get::<ErrorPage>() {
        Some(ErrorPage(key)) => *key,
        None => match bare_key(&response) {
            Some(key) => key,
            None => return response,
        },
    };
    let mut page = page(lang, response.status(), key);
    if let Some(allow) = response.headers().get("allow") {
        page.headers_mut().insert("allow", allow.clone());
    }
    page
}

/// A page that sends its visitor to sign in remembers itself as `next`.
fn remember_page(response: &mut Response, path: &str) {
    if response.extensions().get::<NeedsSignIn>().is_none() {
        return;
    }
    if let Ok(location) = HeaderValue::from_str(&super::next::sign_in_for(path)) {
        response.headers_mut().insert(LOCATION, location);
    }
}

/// The server's fallback for an address outside the API: the 404 page, with
/// the pages' security headers.
pub fn not_found(headers: &HeaderMap) -> Response {
    let response = page(
        Lang::choose(headers),
        StatusCode::NOT_FOUND,
        "error.page_not_found",
    );
    super::assets::secure(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_statuses_get_a_page_and_pages_keep_theirs() {
        let bare = |s: StatusCode| s.into_response();
        assert_eq!(
            bare_key(&bare(StatusCode::NOT_FOUND)),
            Some("error.page_not_found")
        );
        assert_eq!(
            bare_key(&bare(StatusCode::METHOD_NOT_ALLOWED)),
            Some("error.method_not_allowed")
        );
        assert_eq!(
            bare_key(&bare(StatusCode::BAD_GATEWAY)),
            Some("error.internal")
        );
        assert_eq!(bare_key(&bare(StatusCode::SEE_OTHER)), None);
        let json = (StatusCode::NOT_FOUND, axum::Json(1)).into_response();
        assert_eq!(bare_key(&json), None, "a body of its own stays");
    }

    #[test]
    fn the_page_names_its_status_in_both_languages() {
        for lang in Lang::ALL {
            let r = page(lang, StatusCode::NOT_FOUND, "error.page_not_found");
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
    }
}
