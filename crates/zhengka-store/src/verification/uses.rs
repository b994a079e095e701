//! Share codes (a holder lets one employer check their right to work, once,
//! within 24 h) and service uses (what a relying party did for the holder
//! after a check: a loan, a registration, a ride). Share codes are kept as
//! the SHA-256 of the code: the code is random and short-lived, and the
//! table must not let anyone use a code read from it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::verification::VerificationPurpose;

use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{SqlStore, StoreError, Write};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareCode {
    pub holder_id: String,
    pub permit_number: String,
    pub purpose: VerificationPurpose,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceUse {
    pub id: String,
    pub at: DateTime<Utc>,
    pub verification_id: String,
    pub service_code: String,
    pub organisation_id: String,
    #[serde(skip)]
    pub permit_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[async_trait]
pub trait UseStore: Send + Sync {
    async fn insert_share_code(
        &self,
        code_hash: &str,
        c: &ShareCode,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The code whose hash this is, used or not.
    async fn share_code(&self, code_hash: &str) -> Result<ShareCode, StoreError>;
    /// The holder's codes, newest first.
    async fn share_codes_of(
        &self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<ShareCode>, StoreError>;
    /// Record a use; a second use of one verification for one service is a
    /// conflict on `service_uses_once_idx`.
    async fn insert_service_use(&self, u: &ServiceUse, w: Write) -> Result<(), StoreError>;
    /// Newest first, before the keyset cursor `(at, id)`.
    async fn service_uses_for_holder(
        &self,
        permit_number: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<ServiceUse>, StoreError>;
}

/// The unique index behind "one use of a check per service".
pub const ONE_USE_PER_SERVICE: &str = "service_uses_once_idx";

const CODE_COLUMNS: &str = "holder_id, permit_number, purpose, created_at, expires_at, used_at";
const USE_COLUMNS: &str =
    "id, at, verification_id, service_code, organisation_id, permit_number, note";

fn share_code(row: &AnyRow) -> Result<ShareCode, StoreError> {
    let purpose: String = row.try_get("purpose")?;
    let used: Option<String> = row.try_get("used_at")?;
    Ok(ShareCode {
        holder_id: row.try_get("holder_id")?,
        permit_number: row.try_get("permit_number")?,
        purpose: parsed(VerificationPurpose::parse(&purpose), "purpose")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        expires_at: parse_time(&row.try_get::<String, _>("expires_at")?)?,
        used_at: used.as_deref().map(parse_time).transpose()?,
    })
}

fn service_use(row: &AnyRow) -> Result<ServiceUse, StoreError> {
    Ok(ServiceUse {
        id: row.try_get("id")?,
        at: parse_time(&row.try_get::<String, _>("at")?)?,
        verification_id: row.try_get("verification_id")?,
        service_code: row.try_get("service_code")?,
        organisation_id: row.try_get("organisation_id")?,
        permit_number: row.try_get("permit_number")?,
        note: row.try_get("note")?,
    })
}

/// SQLite names no index in a unique violation; name the one this table has.
fn named(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what } if what.contains("service_uses") => {
            StoreError::conflict(ONE_USE_PER_SERVICE)
        }
        other => other,
    }
}

#[async_trait]
impl UseStore for SqlStore {
    async fn insert_share_code(
        &self,
        code_hash: &str,
        c: &ShareCode,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "INSERT INTO share_codes (code_hash, {CODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(code_hash)
        .bind(&c.holder_id)
        .bind(&c.permit_number)
        .bind(c.purpose.as_str())
        .bind(timestamp(c.created_at))
        .bind(timestamp(c.expires_at))
        .bind(c.used_at.map(timestamp))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    async fn share_code(&self, code_hash: &str) -> Result<ShareCode, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CODE_COLUMNS} FROM share_codes WHERE code_hash = $1"
        ))
        .bind(code_hash)
        .fetch_one(&self.reader)
        .await?;
        share_code(&row)
    }

    async fn share_codes_of(
        &self,
        holder_id: &str,
        limit: i64,
    ) -> Result<Vec<ShareCode>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CODE_COLUMNS} FROM share_codes WHERE holder_id = $1 \
             ORDER BY created_at DESC LIMIT $2"
        ))
        .bind(holder_id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(share_code).collect()
    }

    async fn insert_service_use(&self, u: &ServiceUse, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "INSERT INTO service_uses ({USE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        ))
        .bind(&u.id)
        .bind(timestamp(u.at))
        .bind(&u.verification_id)
        .bind(&u.service_code)
        .bind(&u.organisation_id)
        .bind(&u.permit_number)
        .bind(u.note.as_deref())
        .execute(&mut *tx)
        .await
        .map_err(|e| named(e.into()))?;
        self.finish(tx, w).await
    }

    async fn service_uses_for_holder(
        &self,
        permit_number: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<ServiceUse>, StoreError> {
        let (at, id) = before.unwrap_or_else(|| ("9999".into(), String::new()));
        let rows = sqlx::query(&format!(
            "SELECT {USE_COLUMNS} FROM service_uses WHERE permit_number = $1 \
             AND (at < $2 OR (at = $2 AND id < $3)) ORDER BY at DESC, id DESC LIMIT $4"
        ))
        .bind(permit_number)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(service_use).collect()
    }
}
