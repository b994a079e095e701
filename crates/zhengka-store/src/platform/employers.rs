use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::employer::{Address, Employer, EmployerName};
use zhengka_domain::ids::{RegionCode, Uscc};

use crate::audit::timestamp;
use crate::{SqlStore, StoreError, Write};

pub(crate) fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.to_utc())
        .map_err(StoreError::other)
}

/// A stored value that no longer parses is a fault, not a missing row.
pub(crate) fn parsed<T, E: std::fmt::Display>(
    r: Result<T, E>,
    what: &str,
) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::other(format!("stored {what} does not parse: {e}")))
}

pub(super) fn from_row(row: &AnyRow) -> Result<Employer, StoreError> {
    let created_at: String = row.try_get("created_at")?;
    Ok(Employer {
        id: row.try_get("id")?,
        uscc: parsed(Uscc::parse(row.try_get("uscc")?), "uscc")?,
        name: parsed(EmployerName::parse(row.try_get("name")?), "name")?,
        region_code: parsed(RegionCode::parse(row.try_get("region_code")?), "region")?,
        address: parsed(Address::parse(row.try_get("address")?), "address")?,
        created_at: parse_time(&created_at)?,
    })
}

pub(super) const COLUMNS: &str = "id, uscc, name, region_code, address, created_at";

impl SqlStore {
    pub(crate) async fn employer_insert(&self, e: &Employer, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(&format!(
            "INSERT INTO employers ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&e.id)
        .bind(e.uscc.as_str())
        .bind(e.name.as_str())
        .bind(e.region_code.as_str())
        .bind(e.address.as_str())
        .bind(timestamp(e.created_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    pub(crate) async fn employer_get(&self, id: &str) -> Result<Employer, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM employers WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.reader)
            .await?;
        from_row(&row)
    }

    pub(crate) async fn employer_list(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Employer>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM employers WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(from_row).collect()
    }
}
