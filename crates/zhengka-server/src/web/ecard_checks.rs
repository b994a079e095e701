//! The holder's "who checked my card" page, `/web/ecard/verifications`: every
//! check of their credentials (organisation, purpose in words, time in the
//! deployment's zone, result, offline mark) and the services recorded after
//! one, each list paged by its own cursor; and `/web/ecard/share-codes`: make
//! a share code for an employer (shown once, with its expiry) and see earlier
//! ones. They call the API's own `checks`, `uses` and `share_codes::make`.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use minijinja::{Value, context};
use serde::Deserialize;
use zhengka_domain::employer::Role;
use zhengka_domain::verification::{Presented, VerificationPurpose, accepted};
use zhengka_store::{ServiceUse, StoreError};

use super::form::Problems;
use super::i18n::Lang;
use super::render::PageError;
use super::verdict::{purpose_in, refusal_in};
use super::visitor::{Posted, Visitor};
use crate::AppState;
use crate::api::ecard::own_holder;
use crate::api::ecard::verifications::{CheckView, checks, uses};
use crate::api::verification::share_codes::make;
use crate::http::ApiError;

const PAGE: i64 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/web/ecard/verifications", get(list))
        .route("/web/ecard/share-codes", get(codes).post(create))
}

#[derive(Deserialize)]
pub struct ListQuery {
    cursor: Option<String>,
    uses_cursor: Option<String>,
}

/// Who checked, in words: the police, the public check, or the organisation.
fn organisation_in(lang: Lang, name: &str) -> String {
    match name {
        "police" | "public" | "staff" => lang
            .get(&format!("checks.org.{name}"))
            .unwrap_or(name)
            .to_owned(),
        other => other.to_owned(),
    }
}

fn check_row(v: &Visitor, c: &CheckView) -> Value {
    let kind = v.lang.get(&format!("verify.kind.{}", c.credential_kind));
    context! {
        id => c.id.clone(),
        at => v.at(c.at),
        stamp => c.at.to_rfc3339(),
        organisation => organisation_in(v.lang, &c.organisation_name),
        purpose => purpose_in(v.lang, &c.purpose),
        kind => kind,
        valid => c.result == "valid",
        reason => c.reason.as_deref().map(|r| refusal_in(v.lang, r)),
        offline => c.offline,
    }
}

async fn use_row(app: &AppState, v: &Visitor, u: &ServiceUse) -> Result<Value, ApiError> {
    let service = match app.store.get_service(&u.service_code).await {
        Ok(s) if v.lang == Lang::ZhCn => s.name_zh,
        Ok(s) => s.name_en,
        Err(StoreError::NotFound) => u.service_code.clone(),
        Err(e) => return Err(e.into()),
    };
    let organisation = match app.store.get_organisation(&u.organisation_id).await {
        Ok(o) => o.name,
        Err(StoreError::NotFound) => u.organisation_id.clone(),
        Err(e) => return Err(e.into()),
    };
    Ok(context! {
        id => u.id.clone(),
        at => v.at(u.at),
        stamp => u.at.to_rfc3339(),
        service => service,
        organisation => organisation,
        note => u.note.clone(),
    })
}

/// `GET /web/ecard/verifications[?cursor=][&uses_cursor=]`
async fn list(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::Foreigner])?;
    let holder = own_holder(&app, caller).await?;
    let found = checks(&app, &holder, q.cursor.as_deref(), PAGE).await?;
    let used = uses(&app, &holder, q.uses_cursor.as_deref(), PAGE).await?;
    let items: Vec<Value> = found.items.iter().map(|c| check_row(&v, c)).collect();
    let mut service_uses = vec![];
    for u in &used.items {
        service_uses.push(use_row(&app, &v, u).await?);
    }
    let values = context! {
        section => "ecard_verifications",
        demo_real_person => super::ecard::demo(&app),
        items => items,
        next => found.next_cursor,
        uses => service_uses,
        uses_next => used.next_cursor,
        uses_cursor => q.uses_cursor,
        cursor => q.cursor,
    };
    Ok(v.page("ecard_verifications.html", values)?.into_response())
}

/// The purposes a holder makes share codes for.
fn share_purposes() -> Vec<VerificationPurpose> {
    VerificationPurpose::ALL
        .into_iter()
        .filter(|p| accepted(*p).contains(&Presented::ShareCode))
        .collect()
}

/// `GET /web/ecard/share-codes`
async fn codes(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    v.require(&[Role::Foreigner])?;
    codes_page(&app, &v, None, &Problems::default(), StatusCode::OK).await
}

/// `POST /web/ecard/share-codes`: purpose. The code is on this answer only.
async fn create(State(app): State<AppState>, p: Posted) -> Result<Response, PageError> {
    let caller = p.visitor.require(&[Role::Foreigner])?;
    let v = &p.visitor;
    match make(&app, caller, p.fields.get("purpose")).await {
        Ok((code, shared)) => {
            let made = context! {
                code => code,
                purpose => purpose_in(v.lang, shared.purpose.as_str()),
                expires => v.at(shared.expires_at),
                stamp => shared.expires_at.to_rfc3339(),
            };
            codes_page(
                &app,
                v,
                Some(made),
                &Problems::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(ApiError::TooManyRequests { .. }) => {
            let mut problems = Problems::default();
            problems
                .summary
                .push(("main".into(), v.text("share.too_many")));
            codes_page(&app, v, None, &problems, StatusCode::TOO_MANY_REQUESTS).await
        }
        Err(e) => {
            let problems = Problems::from_api(v, e)?;
            codes_page(&app, v, None, &problems, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn codes_page(
    app: &AppState,
    v: &Visitor,
    made: Option<Value>,
    problems: &Problems,
    status: StatusCode,
) -> Result<Response, PageError> {
    let caller = v.require(&[Role::Foreigner])?;
    let holder = own_holder(app, caller).await?;
    let now = Utc::now();
    let earlier: Vec<Value> = app
        .store
        .share_codes_of(&holder.id, 50)
        .await
        .map_err(ApiError::from)?
        .iter()
        .map(|s| {
            let state = match s.used_at {
                Some(_) => "used",
                None if s.expires_at <= now => "expired",
                None => "open",
            };
            context! {
                purpose => purpose_in(v.lang, s.purpose.as_str()),
                created => v.at(s.created_at),
                expires => v.at(s.expires_at),
                used => s.used_at.map(|t| v.at(t)),
                state => state,
            }
        })
        .collect();
    let purposes: Vec<Value> = share_purposes()
        .into_iter()
        .map(|p| context! { code => p.as_str(), text => purpose_in(v.lang, p.as_str()) })
        .collect();
    let ctx = context! {
        section => "ecard_share_codes",
        demo_real_person => super::ecard::demo(app),
        made => made,
        earlier => earlier,
        purposes => purposes,
        f => context! { ..problems.shown() },
        ..problems.shown()
    };
    Ok((status, v.page("ecard_share_codes.html", ctx)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_the_pages_build_exists() {
        for key in ["police", "public", "staff"].map(|o| format!("checks.org.{o}")) {
            for lang in Lang::ALL {
                assert!(lang.get(&key).is_some(), "{}: {key}", lang.tag());
            }
        }
        assert_eq!(share_purposes(), [VerificationPurpose::EmployerRightToWork]);
    }

    #[test]
    fn the_pages_render() {
        let row = context! { purpose => "p", created => "c", expires => "e", state => "used", used => "u" };
        let made = context! { code => "ABCDE-12345", purpose => "p", expires => "e", stamp => "s" };
        let ctx = context! { lang => "en", csrf => "x", path => "/web/ecard/share-codes",
        made => made, earlier => vec![row], purposes => vec![context! { code => "c", text => "t" }],
        f => context! { errors => context! {} } };
        let html = super::super::render::render("ecard_share_codes.html", ctx)
            .unwrap()
            .0;
        assert!(html.contains(">ABCDE-12345<") && html.contains("data-state=\"used\""));
    }

    #[test]
    fn an_organisation_keeps_its_own_name() {
        assert_eq!(organisation_in(Lang::En, "City Hospital"), "City Hospital");
        assert_ne!(organisation_in(Lang::En, "police"), "police");
    }
}
