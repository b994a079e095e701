//! Who is looking at a page: language, signed-in user, CSRF token. `Posted`
//! is the only way a page handler reads a form, and it checks the token.

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use minijinja::{Value, context};
use ring::hmac;
use zhengka_domain::employer::Role;
use zhengka_store::StoreError;
use zhengka_store::vault::hex;

use super::i18n::Lang;
use super::render::{PageError, render};
use super::session::{PRE_COOKIE, SESSION_COOKIE, cookie};
use crate::AppState;
use crate::auth::{Caller, token};
use crate::http::ApiError;

const CSRF_CONTEXT: &[u8] = b"zhengka-csrf-v1";

pub struct Visitor {
    pub lang: Lang,
    pub caller: Option<Caller>,
    /// The raw session token, or the pre-session cookie on the sign-in page.
    /// The CSRF token is an HMAC keyed by it: unguessable without the cookie,
    /// and never derivable from what the database stores.
    secret: Option<String>,
    /// The request came over TLS (behind a proxy that says so).
    pub secure: bool,
    pub path: String,
    /// The page a form on this page belongs to (`zk_page` in every form):
    /// the path itself, or, on a page answering a post, the posted form's
    /// own page. A post without a session returns there after sign-in.
    pub form_page: String,
    /// The deployment's settings pages show (authority, time zone).
    pub config: std::sync::Arc<crate::Config>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, PageError> {
        let headers = &parts.headers;
        let path = parts
            .uri
            .path_and_query()
            .map_or("/web/", |p| p.as_str())
            .to_owned();
        let mut visitor = Visitor {
            lang: Lang::from_query(parts.uri.query()).unwrap_or_else(|| Lang::choose(headers)),
            caller: None,
            secret: None,
            secure: headers
                .get("x-forwarded-proto")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https")),
            form_page: super::flash::without(&path),
            path,
            config: app.config.clone(),
        };
        if let Some(raw) = cookie(headers, SESSION_COOKIE) {
            let token_hash = token::hash(raw);
            match app.store.session_user(&token_hash, Utc::now()).await {
                Ok(user) => {
                    visitor.caller = Some(Caller { user, token_hash });
                    visitor.secret = Some(raw.to_owned());
                }
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(ApiError::from(e).into()),
            }
        }
        if visitor.secret.is_none() {
            visitor.secret = cookie(headers, PRE_COOKIE)
                .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_owned);
        }
        Ok(visitor)
    }
}

impl Visitor {
    /// A fresh pre-session secret when there is none; returns it to be set
    /// as a cookie.
    pub fn ensure_secret(&mut self) -> Option<String> {
        if self.secret.is_some() {
            return None;
        }
        let fresh = token::generate();
        self.secret = Some(fresh.clone());
        Some(fresh)
    }

    pub fn csrf(&self) -> String {
        self.secret
            .as_deref()
            .map(|s| hex(hmac::sign(&csrf_key(s), CSRF_CONTEXT).as_ref()))
            .unwrap_or_default()
    }

    pub fn csrf_ok(&self, sent: &str) -> bool {
        match (self.secret.as_deref(), unhex(sent)) {
            (Some(s), Some(tag)) => hmac::verify(&csrf_key(s), CSRF_CONTEXT, &tag).is_ok(),
            _ => false,
        }
    }

    /// The signed-in caller if they hold one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<&Caller, PageError> {
        let caller = self.caller.as_ref().ok_or(PageError::SignIn)?;
        caller.require(roles)?;
        Ok(caller)
    }

    pub fn text(&self, key: &str) -> String {
        self.lang.text(key)
    }

    /// Render `name` with the page's own values and the common ones.
    pub fn page(&self, name: &str, values: Value) -> Result<Html<String>, PageError> {
        let me = self.caller.as_ref().map(|c| {
            context! { username => c.user.username.clone(), role => c.user.role.as_str() }
        });
        let ctx = context! {
            lang => self.lang.tag(),
            me => me,
            csrf => self.csrf(),
            path => self.path.clone(),
            form_page => self.form_page.clone(),
            flash => super::flash::from_path(&self.path),
            authority => self.config.authority.name(self.lang.tag()),
            ..values
        };
        render(name, ctx)
    }

    /// A page with a status other than 200 (a form returned with errors).
    pub fn page_with(
        &self,
        status: StatusCode,
        name: &str,
        values: Value,
    ) -> Result<Response, PageError> {
        Ok((status, self.page(name, values)?).into_response())
    }
}

fn csrf_key(secret: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What every form posts beside its own fields.
pub const NOT_FIELDS: [&str; 2] = ["csrf", PAGE_FIELD];

/// The hidden field naming the page a form is on (see `Visitor::form_page`).
pub const PAGE_FIELD: &str = "zk_page";

/// The fields of a posted form, in order.
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The values to show again in the form, the secret ones left out.
    pub fn shown(&self) -> Value {
        self.0
            .iter()
            .filter(|(k, _)| !NOT_FIELDS.contains(&k.as_str()) && k != "password")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// A posted form whose CSRF token matched the visitor's, on a page for
/// signed-in people. Without a session (it expired, or they signed out in
/// another tab) the token cannot match: they are sent to sign in, and then
/// back to the form's page (`zk_page`), never to the post's own address.
pub struct Posted {
    pub visitor: Visitor,
    pub fields: Fields,
}

impl FromRequest<AppState> for Posted {
    type Rejection = PageError;

    async fn from_request(req: Request, app: &AppState) -> Result<Self, PageError> {
        let p = read_form(req, app).await?;
        if p.visitor.csrf_ok(p.fields.get("csrf")) {
            return Ok(p);
        }
        match p.visitor.caller {
            None => Err(PageError::SignInFrom(p.visitor.form_page)),
            Some(_) => Err(PageError::Status(StatusCode::FORBIDDEN, "error.csrf")),
        }
    }
}

/// A posted form of a page anyone may use (sign-in, the public check, the
/// e-card registration, a password reset link): a token that does not match
/// is refused, whoever posts it.
pub struct PublicPosted(pub Posted);

impl FromRequest<AppState> for PublicPosted {
    type Rejection = PageError;

    async fn from_request(req: Request, app: &AppState) -> Result<Self, PageError> {
        let p = read_form(req, app).await?;
        if !p.visitor.csrf_ok(p.fields.get("csrf")) {
            return Err(PageError::Status(StatusCode::FORBIDDEN, "error.csrf"));
        }
        Ok(PublicPosted(p))
    }
}

/// The visitor and the fields, the form's page taken from `zk_page` when it
/// is one of our own pages.
async fn read_form(req: Request, app: &AppState) -> Result<Posted, PageError> {
    let (mut parts, body) = req.into_parts();
    let mut visitor = Visitor::from_request_parts(&mut parts, app).await?;
    let Form(pairs) =
        Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), app)
            .await
            .map_err(|_| PageError::Status(StatusCode::BAD_REQUEST, "error.request"))?;
    let fields = Fields(pairs);
    if let Some(page) = super::next::safe(fields.get(PAGE_FIELD)) {
        visitor.form_page = page.to_owned();
    }
    Ok(Posted { visitor, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
