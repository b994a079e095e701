use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::ids::RegionCode;
use zhengka_domain::permits::permit::{Permit, PermitNumber};

use crate::{SqlStore, StoreError, Write};

const COLUMNS: &str = "permit_number, record_enc";

impl SqlStore {
    pub(super) fn open_permit(&self, row: &AnyRow) -> Result<Permit, StoreError> {
        let number: String = row.try_get("permit_number")?;
        let sealed: Vec<u8> = row.try_get("record_enc")?;
        let json = self.vault.open(&format!("permits:{number}"), &sealed)?;
        Ok(serde_json::from_slice(&json)?)
    }

    pub(crate) async fn permit_get(&self, number: &PermitNumber) -> Result<Permit, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM permits WHERE permit_number = $1"
        ))
        .bind(number.as_str())
        .fetch_one(&self.reader)
        .await?;
        self.open_permit(&row)
    }

    pub(crate) async fn permit_by_passport(
        &self,
        passport: &str,
    ) -> Result<Vec<Permit>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM permits WHERE passport_hmac = $1 ORDER BY permit_number"
        ))
        .bind(self.vault.index("passport", passport))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(|r| self.open_permit(r)).collect()
    }

    pub(crate) async fn permit_list(
        &self,
        employer_id: Option<&str>,
        region: Option<&RegionCode>,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Permit>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM permits WHERE ($1 IS NULL OR employer_id = $1) \
             AND ($2 IS NULL OR region_code LIKE $2) AND permit_number > $3 \
             ORDER BY permit_number LIMIT $4"
        ))
        .bind(employer_id)
        .bind(region.map(|r| format!("{}%", region_prefix(r))))
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(|r| self.open_permit(r)).collect()
    }

    pub(crate) async fn permit_update(&self, p: &Permit, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        self.permit_write(&mut tx, p).await?;
        self.finish(tx, w).await
    }
}

/// The code prefix a region covers: a province its 2 digits, a city its 4.
pub fn region_prefix(r: &RegionCode) -> &str {
    let code = r.as_str();
    if code.ends_with("0000") {
        &code[..2]
    } else if code.ends_with("00") {
        &code[..4]
    } else {
        code
    }
}
