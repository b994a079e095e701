//! Materials uploaded with an application: the metadata in columns, the bytes
//! and the file name sealed with the vault (they are copies of passports,
//! contracts..., and their names often carry a passport number).

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::{SqlStore, StoreError, Vault, Write};

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
    "id, application_id, kind, file_name_enc, content_type, size_bytes, sha256, created_at";

fn context(id: &str) -> String {
    format!("materials:{id}")
}

pub(crate) fn name_context(id: &str) -> String {
    format!("materials:{id}:file_name")
}

fn from_row(row: &AnyRow, vault: &Vault) -> Result<Material, StoreError> {
    let id: String = row.try_get("id")?;
    let sealed: Option<Vec<u8>> = row.try_get("file_name_enc")?;
    let sealed = sealed.ok_or_else(|| StoreError::other("material without a sealed file name"))?;
    let file_name =
        String::from_utf8(vault.open(&name_context(&id), &sealed)?).map_err(StoreError::other)?;
    let created_at: String = row.try_get("created_at")?;
    Ok(Material {
        id,
        application_id: row.try_get("application_id")?,
        kind: row.try_get("kind")?,
        file_name,
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
        let name = self
            .vault
            .seal(&name_context(&m.id), m.file_name.as_bytes())?;
        let mut tx = self.begin_write().await?;
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
        .bind(name)
        .bind(&m.content_type)
        .bind(m.size_bytes)
        .bind(&m.sha256)
        .bind(timestamp(m.created_at))
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
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
        rows.iter().map(|r| from_row(r, &self.vault)).collect()
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
        let meta = from_row(&row, &self.vault)?;
        let sealed: Vec<u8> = row.try_get("data_enc")?;
        let data = self.vault.open(&context(&meta.id), &sealed)?;
        Ok((meta, data))
    }
}

/// Migration 5's data step: seal the file names stored in clear by earlier
/// releases, then drop their column (the SQL cannot: it has no key).
pub(crate) async fn seal_clear_file_names(
    tx: &mut Transaction<'_, Any>,
    vault: &Vault,
) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, file_name FROM materials")
        .fetch_all(&mut **tx)
        .await?;
    for row in rows {
        let (id, name): (String, String) = (row.try_get("id")?, row.try_get("file_name")?);
        let sealed = vault.seal(&name_context(&id), name.as_bytes())?;
        // The clear value is overwritten too, so no live row version keeps it
        // once the column is dropped (PostgreSQL keeps a dropped column's data).
        sqlx::query("UPDATE materials SET file_name_enc = $1, file_name = '' WHERE id = $2")
            .bind(sealed)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("ALTER TABLE materials DROP COLUMN file_name")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
