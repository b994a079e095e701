//! Relying parties' API credentials: `Authorization: Bearer
//! zkrp_<id>_<secret>`. The caller they make is a `relying_party` acting for
//! its organisation, held to the organisation's rate limit per minute (counted
//! in the database, so every instance sees one count).

use chrono::{Duration, Utc};
use zhengka_domain::employer::{Role, User};
use zhengka_store::StoreError;

use super::{Caller, token};
use crate::AppState;
use crate::http::ApiError;

pub(crate) const USER_PREFIX: &str = "rpc:";
const ORG_PREFIX: &str = "rp:";

fn refused(message: &str) -> ApiError {
    ApiError::Unauthorized {
        code: "invalid_token",
        message: message.into(),
    }
}

pub(crate) async fn authenticate(
    app: &AppState,
    id: &str,
    secret: &str,
) -> Result<Caller, ApiError> {
    let (credential, stored) = match app.store.credential(id).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Err(refused("unknown API credential")),
        Err(e) => return Err(e.into()),
    };
    // Hashes of a 256-bit secret: comparing them leaks nothing usable.
    if token::hash(secret) != stored {
        return Err(refused("unknown API credential"));
    }
    if credential.revoked_at.is_some() {
        return Err(ApiError::Unauthorized {
            code: "credential_revoked",
            message: "this API credential was revoked".into(),
        });
    }
    let org = app
        .store
        .get_organisation(&credential.organisation_id)
        .await?;
    let now = Utc::now();
    let counted = app
        .store
        .count_attempt(&format!("rp-rate:{}", org.id), Duration::seconds(60), now)
        .await?;
    if counted.count > i64::from(org.rate_limit_per_minute) {
        let left = (counted.window_ends - now).num_seconds();
        return Err(ApiError::TooManyRequests {
            retry_after_secs: u64::try_from(left).unwrap_or(0).max(1),
        });
    }
    Ok(Caller {
        user: User {
            id: format!("{USER_PREFIX}{}", credential.id),
            username: format!("{ORG_PREFIX}{}", org.id),
            role: Role::RelyingParty,
            employer_id: None,
            region_code: Some(org.region_code),
            created_at: credential.created_at,
        },
        token_hash: format!("api-credential:{}", credential.id),
    })
}

/// The organisation of a caller made by [`authenticate`]. Usernames of people
/// never hold `:`, ids of people are UUIDs: the prefixes cannot be forged.
pub(crate) fn organisation_of(user: &User) -> Option<&str> {
    user.id
        .starts_with(USER_PREFIX)
        .then(|| user.username.strip_prefix(ORG_PREFIX))
        .flatten()
}
