//! The verification log. An online check and its log row (and, for a live
//! presentation, the taking of its nonce) commit in one transaction with the
//! audit event, so a replayed presentation writes a refusal, never a second
//! acceptance.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::timestamp;
use crate::platform::attempts::USE_NONCE;
use crate::platform::employers::parse_time;
use crate::vault::hex;
use crate::{SqlStore, StoreError, Write};

/// One check, as the holder, the organisation and the admin read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Whose credential (absent when the QR named no known permit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permit_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation_id: Option<String>,
    pub organisation_name: String,
    /// The user or API credential that asked.
    pub verifier: String,
    pub purpose: String,
    pub credential_kind: String,
    /// `valid` or `rejected`.
    pub result: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub offline: bool,
}

/// A live presentation's nonce, held by `verifier` until `expires_at`.
pub struct Nonce<'a> {
    pub verifier: &'a str,
    pub nonce: &'a [u8],
    pub expires_at: DateTime<Utc>,
}

/// What a check may use only once: a live presentation's nonce (once per
/// verifier within its window) or a holder's share code (once at all).
pub enum Once<'a> {
    Nonce(Nonce<'a>),
    ShareCode {
        code_hash: &'a str,
        used_by: &'a str,
    },
}

#[async_trait]
pub trait VerificationLogStore: Send + Sync {
    /// Log `e` with `w`; with a nonce or share code, only if it was not used
    /// (`false`, nothing written, for a replay or a used or expired code).
    async fn log_verification(
        &self,
        e: &VerificationEntry,
        once: Option<Once<'_>>,
        w: Write,
    ) -> Result<bool, StoreError>;
    async fn get_verification(&self, id: &str) -> Result<VerificationEntry, StoreError>;
    /// Newest first, before the keyset cursor `(at, id)`.
    async fn verifications_for_holder(
        &self,
        permit_number: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<VerificationEntry>, StoreError>;
    async fn verifications_of_organisation(
        &self,
        organisation_id: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<VerificationEntry>, StoreError>;
}

/// A share code is taken once, before it expires.
const TAKE_SHARE_CODE: &str = "UPDATE share_codes SET used_at = $1, used_by = $2 \
     WHERE code_hash = $3 AND used_at IS NULL AND expires_at > $1";

const COLUMNS: &str = "id, at, permit_number, organisation_id, organisation_name, verifier, \
     purpose, credential_kind, result, reason, offline";

fn entry(row: &AnyRow) -> Result<VerificationEntry, StoreError> {
    Ok(VerificationEntry {
        id: row.try_get("id")?,
        at: parse_time(&row.try_get::<String, _>("at")?)?,
        permit_number: row.try_get("permit_number")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_name: row.try_get("organisation_name")?,
        verifier: row.try_get("verifier")?,
        purpose: row.try_get("purpose")?,
        credential_kind: row.try_get("credential_kind")?,
        result: row.try_get("result")?,
        reason: row.try_get("reason")?,
        offline: row.try_get::<i64, _>("offline")? == 1,
    })
}

impl SqlStore {
    async fn log_where(
        &self,
        column: &str,
        value: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<VerificationEntry>, StoreError> {
        let (at, id) = before.unwrap_or_else(|| ("9999".into(), String::new()));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM verification_log WHERE {column} = $1 \
             AND (at < $2 OR (at = $2 AND id < $3)) ORDER BY at DESC, id DESC LIMIT $4"
        ))
        .bind(value)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(entry).collect()
    }
}

#[async_trait]
impl VerificationLogStore for SqlStore {
    async fn log_verification(
        &self,
        e: &VerificationEntry,
        once: Option<Once<'_>>,
        w: Write,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let taken = match once {
            None => true,
            Some(Once::Nonce(n)) => {
                sqlx::query(USE_NONCE)
                    .bind(n.verifier)
                    .bind(hex(n.nonce))
                    .bind(timestamp(n.expires_at))
                    .bind(timestamp(e.at))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1
            }
            Some(Once::ShareCode { code_hash, used_by }) => {
                sqlx::query(TAKE_SHARE_CODE)
                    .bind(timestamp(e.at))
                    .bind(used_by)
                    .bind(code_hash)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1
            }
        };
        if !taken {
            return Ok(false);
        }
        sqlx::query(&format!(
            "INSERT INTO verification_log ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&e.id)
        .bind(timestamp(e.at))
        .bind(e.permit_number.as_deref())
        .bind(e.organisation_id.as_deref())
        .bind(&e.organisation_name)
        .bind(&e.verifier)
        .bind(&e.purpose)
        .bind(&e.credential_kind)
        .bind(&e.result)
        .bind(e.reason.as_deref())
        .bind(i64::from(e.offline))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await?;
        Ok(true)
    }

    async fn get_verification(&self, id: &str) -> Result<VerificationEntry, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM verification_log WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        entry(&row)
    }

    async fn verifications_for_holder(
        &self,
        permit_number: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<VerificationEntry>, StoreError> {
        self.log_where("permit_number", permit_number, before, limit)
            .await
    }

    async fn verifications_of_organisation(
        &self,
        organisation_id: &str,
        before: Option<(String, String)>,
        limit: i64,
    ) -> Result<Vec<VerificationEntry>, StoreError> {
        self.log_where("organisation_id", organisation_id, before, limit)
            .await
    }
}
