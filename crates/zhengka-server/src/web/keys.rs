//! The admin's view of the signing keys: the trust list's entries, the key
//! that signs now, the trust anchor, and links to the published trust list
//! and status list. Rotation stays with the command line (`zhengka keys
//! rotate`, then a restart), so this page only shows.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use minijinja::{Value, context};
use zhengka_credential::Kid;
use zhengka_domain::employer::Role;
use zhengka_store::vault::hex;

use super::render::PageError;
use super::visitor::Visitor;
use crate::AppState;

fn kid(k: Kid) -> String {
    hex(&k.0)
}

/// A timestamp in the deployment's zone; `None` when it is beyond any
/// calendar (keys made without an end).
fn when(tz: chrono_tz::Tz, ts: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp(ts, 0)
        .filter(|d| d.format("%Y").to_string().len() == 4)
        .map(|d| super::readable::at_in(tz, d))
}

/// `GET /web/admin/keys`
pub async fn show(State(app): State<AppState>, v: Visitor) -> Result<Response, PageError> {
    v.require(&[Role::Admin])?;
    let creds = &app.credentials;
    let now = Utc::now().timestamp();
    let signing = creds.signing_public().kid();
    let keys: Vec<Value> = creds
        .keys()
        .iter()
        .map(|k| {
            let current = k.kid() == signing;
            context! {
                kid => kid(k.kid()),
                alg => k.public_key.alg().name(),
                region => k.region.clone(),
                purposes => k.purposes.iter().map(|p| p.name()).collect::<Vec<_>>(),
                from => when(v.config.time_zone, k.valid_from),
                to => when(v.config.time_zone, k.valid_to),
                state => if current { "signing" } else if k.valid_at(now) { "valid" } else { "retired" },
            }
        })
        .collect();
    let anchor = creds.anchor_public();
    let values = context! {
        section => "keys",
        keys => keys,
        region => creds.region(),
        anchor => context! { kid => kid(anchor.kid()), alg => anchor.alg().name() },
    };
    Ok(v.page("keys.html", values)?.into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_dates_or_open() {
        let utc = chrono_tz::UTC;
        assert_eq!(
            super::when(utc, 0).as_deref(),
            Some("1970-01-01 00:00 UTC+00:00")
        );
        let beijing = crate::authority::DEFAULT_TIME_ZONE;
        assert_eq!(
            super::when(beijing, 0).as_deref(),
            Some("1970-01-01 08:00 UTC+08:00")
        );
        assert_eq!(super::when(utc, i64::MAX / 2), None);
    }
}
