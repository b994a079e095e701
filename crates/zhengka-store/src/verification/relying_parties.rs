//! Relying parties and their API credentials. A credential's secret is a
//! 256-bit random value, so its plain SHA-256 is a safe thing to keep.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::employer::User;
use zhengka_domain::ids::RegionCode;
use zhengka_domain::verification::{ApiCredential, Organisation, VerificationPurpose};

use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{SqlStore, StoreError, Write};

#[async_trait]
pub trait RelyingPartyStore: Send + Sync {
    async fn insert_organisation(&self, o: &Organisation, w: Write) -> Result<(), StoreError>;
    async fn update_organisation(&self, o: &Organisation, w: Write) -> Result<(), StoreError>;
    async fn get_organisation(&self, id: &str) -> Result<Organisation, StoreError>;
    /// Newest first.
    async fn list_organisations(&self, limit: i64) -> Result<Vec<Organisation>, StoreError>;
    async fn insert_credential(
        &self,
        c: &ApiCredential,
        secret_hash: &str,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The credential and its secret's hash.
    async fn credential(&self, id: &str) -> Result<(ApiCredential, String), StoreError>;
    async fn credentials_of(&self, organisation_id: &str)
    -> Result<Vec<ApiCredential>, StoreError>;
    /// Revoke a live credential of the organisation; a revoked or unknown one
    /// is `NotFound`.
    async fn revoke_credential(
        &self,
        organisation_id: &str,
        id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
    /// Make `user` (a relying_party account) and its membership of the
    /// organisation in one write.
    async fn insert_member(
        &self,
        user: &User,
        password_hash: &str,
        organisation_id: &str,
        w: Write,
    ) -> Result<(), StoreError>;
    /// The organisation a person verifies for.
    async fn organisation_of_member(&self, user_id: &str) -> Result<String, StoreError>;
    /// The ids of the organisation's members, oldest first.
    async fn members_of(&self, organisation_id: &str) -> Result<Vec<String>, StoreError>;
}

const ORG_COLUMNS: &str =
    "id, name, sector, region_code, purposes, rate_limit_per_minute, created_at";

fn organisation(row: &AnyRow) -> Result<Organisation, StoreError> {
    let region: String = row.try_get("region_code")?;
    let purposes: String = row.try_get("purposes")?;
    let purposes = purposes
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| parsed(VerificationPurpose::parse(p), "purpose"))
        .collect::<Result<_, _>>()?;
    Ok(Organisation {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        sector: row.try_get("sector")?,
        region_code: parsed(RegionCode::parse(&region), "region")?,
        purposes,
        rate_limit_per_minute: u32::try_from(row.try_get::<i64, _>("rate_limit_per_minute")?)
            .map_err(StoreError::other)?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
    })
}

fn credential(row: &AnyRow) -> Result<ApiCredential, StoreError> {
    let revoked: Option<String> = row.try_get("revoked_at")?;
    Ok(ApiCredential {
        id: row.try_get("id")?,
        organisation_id: row.try_get("organisation_id")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        revoked_at: revoked.as_deref().map(parse_time).transpose()?,
    })
}

fn purposes(o: &Organisation) -> String {
    o.purposes
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

#[async_trait]
impl RelyingPartyStore for SqlStore {
    async fn insert_organisation(&self, o: &Organisation, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO relying_parties (id, name, sector, region_code, purposes, \
             rate_limit_per_minute, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&o.id)
        .bind(&o.name)
        .bind(&o.sector)
        .bind(o.region_code.as_str())
        .bind(purposes(o))
        .bind(i64::from(o.rate_limit_per_minute))
        .bind(timestamp(o.created_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    async fn update_organisation(&self, o: &Organisation, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE relying_parties SET name = $1, sector = $2, region_code = $3, purposes = $4, \
             rate_limit_per_minute = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&o.name)
        .bind(&o.sector)
        .bind(o.region_code.as_str())
        .bind(purposes(o))
        .bind(i64::from(o.rate_limit_per_minute))
        .bind(timestamp(w.audit.at))
        .bind(&o.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    async fn get_organisation(&self, id: &str) -> Result<Organisation, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM relying_parties WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        organisation(&row)
    }

    async fn list_organisations(&self, limit: i64) -> Result<Vec<Organisation>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ORG_COLUMNS} FROM relying_parties ORDER BY created_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(organisation).collect()
    }

    async fn insert_credential(
        &self,
        c: &ApiCredential,
        secret_hash: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO rp_credentials (id, organisation_id, secret_hash, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.id)
        .bind(&c.organisation_id)
        .bind(secret_hash)
        .bind(timestamp(c.created_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    async fn credential(&self, id: &str) -> Result<(ApiCredential, String), StoreError> {
        let row = sqlx::query(
            "SELECT id, organisation_id, secret_hash, created_at, revoked_at \
             FROM rp_credentials WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        Ok((credential(&row)?, row.try_get("secret_hash")?))
    }

    async fn credentials_of(
        &self,
        organisation_id: &str,
    ) -> Result<Vec<ApiCredential>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, organisation_id, created_at, revoked_at FROM rp_credentials \
             WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(credential).collect()
    }

    async fn revoke_credential(
        &self,
        organisation_id: &str,
        id: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE rp_credentials SET revoked_at = $1 \
             WHERE id = $2 AND organisation_id = $3 AND revoked_at IS NULL",
        )
        .bind(timestamp(at))
        .bind(id)
        .bind(organisation_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    async fn insert_member(
        &self,
        user: &User,
        password_hash: &str,
        organisation_id: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        crate::platform::users::insert_user_row(&mut tx, user, password_hash).await?;
        sqlx::query(
            "INSERT INTO relying_party_members (user_id, organisation_id, created_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(&user.id)
        .bind(organisation_id)
        .bind(timestamp(user.created_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    async fn organisation_of_member(&self, user_id: &str) -> Result<String, StoreError> {
        let row =
            sqlx::query("SELECT organisation_id FROM relying_party_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&self.reader)
                .await?;
        Ok(row.try_get("organisation_id")?)
    }

    async fn members_of(&self, organisation_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT user_id FROM relying_party_members WHERE organisation_id = $1 \
             ORDER BY created_at, user_id",
        )
        .bind(organisation_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| r.try_get("user_id").map_err(StoreError::from))
            .collect()
    }
}
