//! Materials uploaded with an application: the metadata in columns, the bytes
//! sealed with the vault (they are copies of passports, contracts...).

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::timestamp;
use crate::employers::parse_time;
use crate::idempotency::finish;
use crate::{SqlStore, StoreError, Write};

/// One uploaded file, without its bytes. The type is the one found from the
/// content (never the name); `sha256` is the hex digest of the plaintext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub id: String,
    pub application_id: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

/// What lists show: a material's metadata.
pub type MaterialMeta = Material;

const COLUMNS: &str =
    "id, application_id, kind, file_name, content_type, size_bytes, sha256, created_at";

fn context(id: &str) -> String {
    format!("materials:{id}")
}

fn from_row(row: &AnyRow) -> Result<Material, StoreError> {
    let created_at: String = row.try_get("created_at")?;
    Ok(Material {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        kind: row.try_get("kind")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        created_at: parse_time(&created_at)?,
    })
}

impl SqlStore {
    pub(crate) async fn material_insert(
        &self,
        m: &Material,
        data: &[u8],
        application_version: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        if i64::try_from(data.len()).ok() != Some(m.size_bytes) {
            return Err(StoreError::other("material size does not match its bytes"));
        }
        let sealed = self.vault.seal(&context(&m.id), data)?;
        let mut tx = self.writer.begin().await?;
        // The application must still be the version the caller checked (an
        // editable one). The no-op update also takes its row lock, so a
        // submission racing this upload commits after it or makes it a conflict.
        let same =
            sqlx::query("UPDATE applications SET version = version WHERE id = $1 AND version = $2")
                .bind(&m.application_id)
                .bind(application_version)
                .execute(&mut *tx)
                .await?;
        if same.rows_affected() != 1 {
            return Err(StoreError::conflict("application_version"));
        }
        sqlx::query(&format!(
            "INSERT INTO materials ({COLUMNS}, data_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&m.id)
        .bind(&m.application_id)
        .bind(&m.kind)
        .bind(&m.file_name)
        .bind(&m.content_type)
        .bind(m.size_bytes)
        .bind(&m.sha256)
        .bind(timestamp(m.created_at))
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        finish(tx, w).await
    }

    pub(crate) async fn material_list(
        &self,
        application_id: &str,
    ) -> Result<Vec<MaterialMeta>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM materials WHERE application_id = $1 ORDER BY created_at, id"
        ))
        .bind(application_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub(crate) async fn material_get(
        &self,
        id: &str,
    ) -> Result<(MaterialMeta, Vec<u8>), StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, data_enc FROM materials WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        let meta = from_row(&row)?;
        let sealed: Vec<u8> = row.try_get("data_enc")?;
        let data = self.vault.open(&context(&meta.id), &sealed)?;
        Ok((meta, data))
    }
}
