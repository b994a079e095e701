//! Templates (embedded at compile time), the `t()` function, and error pages.

use std::sync::LazyLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, State, Value};

use super::i18n::Lang;
use crate::http::ApiError;

/// Every template, by name. Adding a file means adding a line here.
pub(crate) const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("account.html", include_str!("../../templates/account.html")),
    (
        "user_role.html",
        include_str!("../../templates/user_role.html"),
    ),
    (
        "reset_link.html",
        include_str!("../../templates/reset_link.html"),
    ),
    (
        "password_reset.html",
        include_str!("../../templates/password_reset.html"),
    ),
    ("sign_in.html", include_str!("../../templates/sign_in.html")),
    ("home.html", include_str!("../../templates/home.html")),
    (
        "dashboard.html",
        include_str!("../../templates/dashboard.html"),
    ),
    (
        "choose_kind.html",
        include_str!("../../templates/choose_kind.html"),
    ),
    (
        "application_form.html",
        include_str!("../../templates/application_form.html"),
    ),
    (
        "application.html",
        include_str!("../../templates/application.html"),
    ),
    ("permits.html", include_str!("../../templates/permits.html")),
    ("queue.html", include_str!("../../templates/queue.html")),
    ("pager.html", include_str!("../../templates/pager.html")),
    (
        "follow_up.html",
        include_str!("../../templates/follow_up.html"),
    ),
    (
        "my_decisions.html",
        include_str!("../../templates/my_decisions.html"),
    ),
    (
        "employers.html",
        include_str!("../../templates/employers.html"),
    ),
    ("users.html", include_str!("../../templates/users.html")),
    ("audit.html", include_str!("../../templates/audit.html")),
    ("verify.html", include_str!("../../templates/verify.html")),
    (
        "cut_over.html",
        include_str!("../../templates/cut_over.html"),
    ),
    ("keys.html", include_str!("../../templates/keys.html")),
    (
        "ss_enrol.html",
        include_str!("../../templates/ss_enrol.html"),
    ),
    (
        "ss_accounts.html",
        include_str!("../../templates/ss_accounts.html"),
    ),
    (
        "ss_account.html",
        include_str!("../../templates/ss_account.html"),
    ),
    ("ss_due.html", include_str!("../../templates/ss_due.html")),
    (
        "card_queue.html",
        include_str!("../../templates/card_queue.html"),
    ),
    (
        "card_apply.html",
        include_str!("../../templates/card_apply.html"),
    ),
    ("card.html", include_str!("../../templates/card.html")),
    (
        "card_batches.html",
        include_str!("../../templates/card_batches.html"),
    ),
    (
        "card_batch.html",
        include_str!("../../templates/card_batch.html"),
    ),
    (
        "card_window.html",
        include_str!("../../templates/card_window.html"),
    ),
    (
        "ecard_notifications.html",
        include_str!("../../templates/ecard_notifications.html"),
    ),
    (
        "ecard_qr.html",
        include_str!("../../templates/ecard_qr.html"),
    ),
    (
        "ecard_devices.html",
        include_str!("../../templates/ecard_devices.html"),
    ),
    ("ecard.html", include_str!("../../templates/ecard.html")),
    (
        "ecard_register.html",
        include_str!("../../templates/ecard_register.html"),
    ),
    (
        "ecard_real_person.html",
        include_str!("../../templates/ecard_real_person.html"),
    ),
    ("check.html", include_str!("../../templates/check.html")),
    (
        "ecard_verifications.html",
        include_str!("../../templates/ecard_verifications.html"),
    ),
    (
        "ecard_share_codes.html",
        include_str!("../../templates/ecard_share_codes.html"),
    ),
    (
        "admin_relying.html",
        include_str!("../../templates/admin_relying.html"),
    ),
    (
        "admin_peers.html",
        include_str!("../../templates/admin_peers.html"),
    ),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .unwrap_or_else(|e| panic!("template {name}: {e:#}"));
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.add_function("t", t);
    env
});

/// `t("key", n=3)`: the text for `key` in the page's language, with `{n}`
/// replaced. An unknown key fails the render (the catalogue test finds it first).
fn t(state: &State, key: &str, args: Kwargs) -> Result<String, Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "no page language"))?;
    let mut text = lang
        .get(key)
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("unknown key {key}")))?
        .to_owned();
    for name in args.args() {
        let value: Value = args.get(name)?;
        text = text.replace(&format!("{{{name}}}"), &value.to_string());
    }
    Ok(text)
}

pub fn render(name: &str, ctx: Value) -> Result<Html<String>, PageError> {
    ENV.get_template(name)
        .and_then(|t| t.render(ctx))
        .map(Html)
        .map_err(|e| PageError::Internal(format!("template {name}: {e:#}")))
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in (or the session expired): go to the sign-in page.
    SignIn,
    /// A form posted without a session: sign in, then back to this page
    /// (the form's own, `Visitor::form_page`; not the post's address).
    SignInFrom(String),
    /// A status with the catalogue key of its explanation.
    Status(StatusCode, &'static str),
    /// Our fault: logged, never shown.
    Internal(String),
}

/// Marks a response whose page the `error_pages` layer renders, in the
/// language of the request.
#[derive(Clone, Copy)]
pub(crate) struct ErrorPage(pub(crate) &'static str);

/// Marks the redirect of a page that needs a signed-in visitor, so the
/// `error_pages` layer can remember the page as `next`.
#[derive(Clone, Copy)]
pub(crate) struct NeedsSignIn;

impl PageError {
    /// For a script's `fetch`, not a page: no redirect to the sign-in page
    /// (followed behind the person's back, it would hand out a new
    /// pre-session cookie and spoil the sign-in form they are about to use).
    pub fn for_fetch(self) -> Self {
        match self {
            Self::SignIn | Self::SignInFrom(_) => {
                Self::Status(StatusCode::UNAUTHORIZED, "error.invalid_token")
            }
            other => other,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, key) = match self {
            Self::SignIn => {
                let mut response = Redirect::to("/web/sign-in").into_response();
                response.extensions_mut().insert(NeedsSignIn);
                return response;
            }
            Self::SignInFrom(page) => {
                return Redirect::to(&super::next::sign_in_for(&page)).into_response();
            }
            Self::Status(status, key) => (status, key),
            Self::Internal(cause) => {
                tracing::error!(cause = %cause, "page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage(key));
        response
    }
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unauthorized { .. } => Self::SignIn,
            ApiError::Forbidden => Self::Status(StatusCode::FORBIDDEN, "error.forbidden"),
            ApiError::NotFound => Self::Status(StatusCode::NOT_FOUND, "error.not_found"),
            ApiError::Internal(cause) => Self::Internal(cause),
            other => Self::Status(other.status(), "error.request"),
        }
    }
}
