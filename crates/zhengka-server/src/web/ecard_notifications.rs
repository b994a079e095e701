//! The holder's notifications page, `/web/ecard/notifications`: newest first,
//! the unread ones marked (in words, not only by colour), each with a button
//! that marks it read; texts in the page's language. It calls the API's own
//! `find` and `mark_read`.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;

use crate::AppState;
use crate::api::ecard::notifications::{NotificationView, find, mark_read};
use crate::api::ecard::own_holder;
use crate::web::render::PageError;
use crate::web::visitor::{Posted, Visitor};

const PAGE: i64 = 20;
const LIST: &str = "/web/ecard/notifications";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST, get(list))
        .route("/web/ecard/notifications/{id}/read", post(read))
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
}

/// `GET /web/ecard/notifications[?cursor=]`
async fn list(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::Foreigner])?;
    let holder = own_holder(&app, caller).await?;
    let found = find(&app, &holder, false, q.cursor.as_deref(), PAGE).await?;
    let lang = v.lang.tag();
    let items: Vec<Value> = found
        .items
        .iter()
        .map(|n| {
            let view = NotificationView::of(n, lang);
            context! {
                created => n.created_at.format("%Y-%m-%d").to_string(),
                ..Value::from_serialize(&view)
            }
        })
        .collect();
    let values = context! {
        section => "ecard_notifications",
        demo_real_person => super::ecard::demo(&app),
        items => items,
        unread => found.unread,
        next => found.next_cursor,
    };
    Ok(v.page("ecard_notifications.html", values)?.into_response())
}

/// `POST /web/ecard/notifications/{id}/read`: back to the list, at the item.
async fn read(
    State(app): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Foreigner])?;
    let holder = own_holder(&app, caller).await?;
    let n = mark_read(&app, caller, &holder, &id).await?;
    Ok(Redirect::to(&format!("{LIST}#n-{}", n.id)).into_response())
}
