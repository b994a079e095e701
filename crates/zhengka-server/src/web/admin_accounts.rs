//! The admin's actions on an account from the users page (switch off or on,
//! unlock, a reset link), and the page where a person uses a reset link.
//! The API's functions do the work (`api::accounts`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;

use super::flash;
use super::form::Problems;
use super::render::PageError;
use super::visitor::{Posted, PublicPosted, Visitor};
use crate::AppState;
use crate::api::accounts::{self, AccountAction, Redeem};
use crate::http::ApiError;

/// `POST /web/admin/users/{id}/{action}`: `disable`, `enable` or `unlock`.
pub async fn act(
    State(app): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p
        .visitor
        .require(&[zhengka_domain::employer::Role::Admin])?;
    let action = AccountAction::parse(&action).ok_or(PageError::Status(
        StatusCode::NOT_FOUND,
        "error.page_not_found",
    ))?;
    accounts::act(&app, caller, None, &id, action).await?;
    let done = match action {
        AccountAction::Disable => "user_disabled",
        AccountAction::Enable => "user_enabled",
        AccountAction::Unlock => "user_unlocked",
    };
    Ok(Redirect::to(&flash::done("/web/admin/users", done)).into_response())
}

/// `POST /web/admin/users/{id}/password-reset`: the link, shown once.
pub async fn reset_link(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let v = &p.visitor;
    let caller = v.require(&[zhengka_domain::employer::Role::Admin])?;
    let user = app.store.get_user(&id).await.map_err(ApiError::from)?;
    let reply = accounts::reset_link(&app, caller, None, &id).await?;
    let body: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
    let expires = body["expires_at"]
        .as_str()
        .map(|t| v.at_text(t))
        .unwrap_or_default();
    let values = context! {
        section => "users",
        username => user.username,
        link => body["path"].as_str(),
        expires => expires,
    };
    Ok(v.page("reset_link.html", values)?.into_response())
}

/// `GET /web/password-reset/{token}`
pub async fn form(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    mut v: Visitor,
) -> Result<Response, PageError> {
    let fresh = v.ensure_secret();
    let mut response = page(&app, &v, &secret, &Problems::default(), StatusCode::OK).await?;
    if let Some(secret) = fresh {
        super::session::set_pre_cookie(&mut response, &secret, v.secure);
    }
    Ok(response)
}

async fn page(
    app: &AppState,
    v: &Visitor,
    secret: &str,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let user = match accounts::link_user(app, secret).await {
        Ok(user) => Some(user.username),
        Err(ApiError::Missing { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let status = if user.is_none() {
        StatusCode::NOT_FOUND
    } else {
        status
    };
    let values = context! {
        username => user,
        token => secret,
        f => context! { values => context! {}, ..problems.shown() },
        ..problems.shown()
    };
    v.page_with(status, "password_reset.html", values)
}

/// `POST /web/password-reset/{token}`: the new password, typed twice.
pub async fn set(
    State(app): State<AppState>,
    Path(secret): Path<String>,
    PublicPosted(p): PublicPosted,
) -> Result<Response, PageError> {
    let password = p.fields.get("password").to_owned();
    let result = if password != p.fields.get("password_again") {
        Err(ApiError::invalid(
            "password_again",
            "passwords_differ",
            "the two passwords differ",
        ))
    } else {
        let body = Redeem {
            token: secret.clone(),
            password,
        };
        accounts::redeem(&app, body).await
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&flash::done("/web/sign-in", "password_changed")).into_response())
        }
        Err(e) => {
            let problems = Problems::from_api(&p.visitor, e)?;
            page(
                &app,
                &p.visitor,
                &secret,
                &problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
