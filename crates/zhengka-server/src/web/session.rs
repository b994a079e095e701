//! Sign in, sign out, switch language: the cookies of the web pages.

use axum::extract::{Path, Query, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::i18n::{LANG_COOKIE, Lang};
use super::next;
use super::render::PageError;
use super::visitor::{Posted, PublicPosted, Visitor};
use crate::AppState;
use crate::api::sessions::{sign_in_with_totp as open_session, sign_out as close_session};
use crate::http::ApiError;

/// The session token: HttpOnly, SameSite=Strict, Secure behind TLS.
pub const SESSION_COOKIE: &str = "zk_session";
/// Keys the CSRF token of the sign-in form, before there is a session.
pub const PRE_COOKIE: &str = "zk_pre";

/// The value of cookie `name`, from any `Cookie` header.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for our cookies; `None` as `max_age_secs` clears it.
pub(super) fn set_cookie(
    name: &str,
    value: &str,
    max_age_secs: Option<i64>,
    secure: bool,
) -> HeaderValue {
    let age = max_age_secs.unwrap_or(0);
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; Max-Age={age}; HttpOnly; SameSite=Strict{secure}")
        .parse()
        .expect("cookie values are hex or language tags")
}

/// Give a visitor without a session the pre-session cookie that keys the
/// CSRF token of a form they post before signing in.
pub fn set_pre_cookie(response: &mut Response, secret: &str, secure: bool) {
    let c = set_cookie(PRE_COOKIE, secret, Some(3600), secure);
    response.headers_mut().append(SET_COOKIE, c);
}

/// `GET /web/sign-in?next=/web/...`
pub async fn form(mut v: Visitor, Query(q): Query<Next>) -> Result<Response, PageError> {
    let next = q.next.as_deref().and_then(next::safe).map(str::to_owned);
    if v.caller.is_some() {
        return Ok(Redirect::to(next.as_deref().unwrap_or("/web/")).into_response());
    }
    let fresh = v.ensure_secret();
    let values = context! { next => next };
    let mut response = v
        .page("sign_in.html", context! { values => values })?
        .into_response();
    if let Some(secret) = fresh {
        let c = set_cookie(PRE_COOKIE, &secret, Some(3600), v.secure);
        response.headers_mut().append(SET_COOKIE, c);
    }
    Ok(response)
}

/// `POST /web/sign-in`: the same check, throttle and session as the API,
/// with the TOTP code of staff who switched it on (asked for when needed).
pub async fn sign_in(
    State(app): State<AppState>,
    PublicPosted(p): PublicPosted,
) -> Result<Response, PageError> {
    let Posted { visitor: v, fields } = p;
    let password = fields.get("password").to_owned();
    let code = Some(fields.get("totp").trim()).filter(|c| !c.is_empty());
    match open_session(&app, fields.get("username"), password, code).await {
        Ok(session) => {
            let age = (session.expires_at - chrono::Utc::now()).num_seconds();
            let to = next::safe(fields.get("next")).unwrap_or("/web/");
            let mut response = Redirect::to(to).into_response();
            let h = response.headers_mut();
            h.append(
                SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.token, Some(age), v.secure),
            );
            h.append(SET_COOKIE, set_cookie(PRE_COOKIE, "", None, v.secure));
            Ok(response)
        }
        Err(e) => {
            let (status, key) = match e {
                ApiError::TooManyRequests { .. } => {
                    (StatusCode::TOO_MANY_REQUESTS, "error.too_many_attempts")
                }
                ApiError::Unauthorized {
                    code: "totp_required",
                    ..
                } => (StatusCode::UNAUTHORIZED, "error.totp_required"),
                ApiError::Unauthorized {
                    code: "account_disabled",
                    ..
                } => (StatusCode::UNAUTHORIZED, "error.account_disabled"),
                ApiError::Unauthorized { .. } => {
                    (StatusCode::UNAUTHORIZED, "error.invalid_credentials")
                }
                other => return Err(other.into()),
            };
            // Once asked for, the code field stays until the sign-in succeeds.
            let totp = key == "error.totp_required" || code.is_some();
            let values = context! { values => fields.shown(), error => v.text(key), totp => totp };
            v.page_with(status, "sign_in.html", values)
        }
    }
}

/// `POST /web/sign-out`. Without a session (it ended already) there is
/// nothing to close: the sign-in page, with no way back.
pub async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
    p: Result<Posted, PageError>,
) -> Result<Response, PageError> {
    match p {
        Ok(p) => {
            if let Some(caller) = &p.visitor.caller {
                close_session(&app, caller).await?;
            }
        }
        Err(PageError::SignInFrom(_)) => {}
        Err(e) => return Err(e),
    }
    let secure = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut response = Redirect::to("/web/sign-in").into_response();
    let c = set_cookie(SESSION_COOKIE, "", None, secure);
    response.headers_mut().append(SET_COOKIE, c);
    Ok(response)
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /web/lang/{tag}?next=/web/...`: remember the language, go back. Only
/// our own pages are accepted as `next`.
pub async fn switch_language(
    v: Visitor,
    Path(tag): Path<String>,
    Query(q): Query<Next>,
) -> Result<Response, PageError> {
    let lang =
        Lang::parse(&tag).ok_or(PageError::Status(StatusCode::NOT_FOUND, "error.not_found"))?;
    let next = q.next.as_deref().and_then(next::safe).unwrap_or("/web/");
    let mut response = Redirect::to(next).into_response();
    let c = set_cookie(LANG_COOKIE, lang.tag(), Some(365 * 24 * 3600), v.secure);
    response.headers_mut().append(SET_COOKIE, c);
    Ok(response)
}

/// A form re-posted to switch language (`?zk_lang=`) keeps that language,
/// like the switch's own link.
pub async fn remember_language(req: Request, next: axum::middleware::Next) -> Response {
    let lang = Lang::from_query(req.uri().query());
    let secure = req
        .headers()
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut response = next.run(req).await;
    if let Some(lang) = lang {
        let c = set_cookie(LANG_COOKIE, lang.tag(), Some(365 * 24 * 3600), secure);
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_from_every_header() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, "a=1; zk_lang=en".parse().unwrap());
        h.append(COOKIE, "zk_session=abc".parse().unwrap());
        assert_eq!(cookie(&h, "zk_lang"), Some("en"));
        assert_eq!(cookie(&h, "zk_session"), Some("abc"));
        assert_eq!(cookie(&h, "zk"), None);
    }

    #[test]
    fn session_cookie_is_strict_and_http_only() {
        let c = set_cookie(SESSION_COOKIE, "t", Some(60), true);
        assert_eq!(
            c,
            "zk_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
    }
}
