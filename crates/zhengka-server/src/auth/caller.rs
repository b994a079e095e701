use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::Utc;
use zhengka_domain::employer::{Role, User};
use zhengka_domain::ids::RegionCode;
use zhengka_store::StoreError;

use super::token;
use crate::AppState;
use crate::http::ApiError;

/// The signed-in user behind a request (`Authorization: Bearer <token>`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = authenticate(parts, app).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

pub(crate) async fn authenticate(parts: &Parts, app: &AppState) -> Result<Caller, ApiError> {
    let header =
        parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .ok_or(ApiError::Unauthorized {
                code: "missing_token",
                message: "sign in and send Authorization: Bearer <token>".into(),
            })?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized {
            code: "invalid_token",
            message: "the Authorization header must be Bearer <token>".into(),
        })?;
    if let Some((id, secret)) = zhengka_domain::verification::parse_api_token(token) {
        return super::api_credential::authenticate(app, id, secret).await;
    }
    let token_hash = token::hash(token);
    match app.store.session_user(&token_hash, Utc::now()).await {
        Ok(user) => Ok(Caller { user, token_hash }),
        Err(StoreError::NotFound) => Err(ApiError::Unauthorized {
            code: "invalid_token",
            message: "the token is unknown or has expired; sign in again".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

impl Caller {
    pub fn id(&self) -> &str {
        &self.user.id
    }

    /// The relying party an API credential acts for (`None` for a person
    /// signed in with a session).
    pub fn organisation_id(&self) -> Option<&str> {
        super::api_credential::organisation_of(&self.user)
    }

    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The employer an employer agent acts for.
    pub fn employer_id(&self) -> Result<&str, ApiError> {
        self.user.employer_id.as_deref().ok_or(ApiError::Forbidden)
    }

    /// May this caller see records of `employer_id` in `region`? Others' records
    /// are reported as absent (404), never as forbidden.
    pub fn may_see(&self, employer_id: &str, region: &RegionCode) -> Result<(), ApiError> {
        let visible = match self.user.role {
            Role::Admin => true,
            Role::EmployerAgent => self.user.employer_id.as_deref() == Some(employer_id),
            _ if self.user.role.needs_region() => self.covers(region),
            _ => false,
        };
        if visible {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// An officer's region covers `region` (a province covers its cities...).
    pub fn covers(&self, region: &RegionCode) -> bool {
        self.user
            .region_code
            .as_ref()
            .is_some_and(|own| own == region || own.contains(region))
    }
}
