//! The one-card service catalogue.
//! A service's code is its primary key, so an import that names a code again
//! updates that service instead of adding a second one.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::ids::RegionCode;
use zhengka_domain::verification::{Sector, Service};

use crate::audit::timestamp;
use crate::platform::employers::parsed;
use crate::{SqlStore, StoreError, Write};

#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub sector: Option<Sector>,
    /// Services of this region and those above it (a city's list shows the
    /// province's services too) when `Some`.
    pub region: Option<RegionCode>,
    pub include_inactive: bool,
    /// Keyset cursor: the last code seen.
    pub after: Option<String>,
    pub limit: i64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Imported {
    pub created: usize,
    pub updated: usize,
}

#[async_trait]
pub trait ServiceStore: Send + Sync {
    /// A code already in the catalogue is `Conflict("service_exists")`.
    async fn insert_service(&self, s: &Service, w: Write) -> Result<(), StoreError>;
    async fn update_service(&self, s: &Service, w: Write) -> Result<(), StoreError>;
    async fn get_service(&self, code: &str) -> Result<Service, StoreError>;
    /// In code order, with the number of services matching the filter.
    async fn list_services(&self, f: &ServiceFilter) -> Result<(Vec<Service>, i64), StoreError>;
    /// Insert or update every service, in one transaction.
    async fn import_services(&self, all: &[Service], w: Write) -> Result<Imported, StoreError>;
}

const COLUMNS: &str = "code, sector, purpose, name_zh, name_en, provider, region_code, active";

fn from_row(row: &AnyRow) -> Result<Service, StoreError> {
    let sector: String = row.try_get("sector")?;
    let region: String = row.try_get("region_code")?;
    Ok(Service {
        code: row.try_get("code")?,
        sector: parsed(Sector::parse(&sector), "sector")?,
        purpose: row.try_get("purpose")?,
        name_zh: row.try_get("name_zh")?,
        name_en: row.try_get("name_en")?,
        provider: row.try_get("provider")?,
        region_code: parsed(RegionCode::parse(&region), "region")?,
        active: row.try_get::<i64, _>("active")? == 1,
    })
}

/// The codes of `r` and every region above it (province, city).
fn region_and_above(r: &RegionCode) -> Vec<String> {
    let code = r.as_str();
    let mut codes = vec![
        format!("{}0000", &code[..2]),
        format!("{}00", &code[..4]),
        code.to_owned(),
    ];
    codes.dedup();
    codes
}

impl SqlStore {
    async fn service_write(
        tx: &mut crate::WriteTx,
        s: &Service,
        insert: bool,
        at: &str,
    ) -> Result<u64, StoreError> {
        let sql = if insert {
            "INSERT INTO services (sector, purpose, name_zh, name_en, provider, region_code, \
             active, updated_at, code, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)"
        } else {
            "UPDATE services SET sector = $1, purpose = $2, name_zh = $3, name_en = $4, \
             provider = $5, region_code = $6, active = $7, updated_at = $8 WHERE code = $9"
        };
        let done = sqlx::query(sql)
            .bind(s.sector.as_str())
            .bind(&s.purpose)
            .bind(&s.name_zh)
            .bind(&s.name_en)
            .bind(&s.provider)
            .bind(s.region_code.as_str())
            .bind(i64::from(s.active))
            .bind(at)
            .bind(&s.code)
            .execute(&mut **tx)
            .await
            .map_err(|e| match StoreError::from(e) {
                StoreError::Conflict { .. } => StoreError::conflict("service_exists"),
                other => other,
            })?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl ServiceStore for SqlStore {
    async fn insert_service(&self, s: &Service, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::service_write(&mut tx, s, true, &timestamp(w.audit.at)).await?;
        self.finish(tx, w).await
    }

    async fn update_service(&self, s: &Service, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        if Self::service_write(&mut tx, s, false, &timestamp(w.audit.at)).await? != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    async fn get_service(&self, code: &str) -> Result<Service, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM services WHERE code = $1"))
            .bind(code)
            .fetch_one(&self.reader)
            .await?;
        from_row(&row)
    }

    async fn list_services(&self, f: &ServiceFilter) -> Result<(Vec<Service>, i64), StoreError> {
        let mut conditions = vec!["1 = 1".to_owned()];
        let mut binds: Vec<String> = Vec::new();
        if let Some(s) = f.sector {
            binds.push(s.as_str().into());
            conditions.push(format!("sector = ${}", binds.len()));
        }
        if let Some(r) = &f.region {
            let mut placeholders = Vec::new();
            for c in region_and_above(r) {
                binds.push(c);
                placeholders.push(format!("${}", binds.len()));
            }
            conditions.push(format!("region_code IN ({})", placeholders.join(", ")));
        }
        if !f.include_inactive {
            conditions.push("active = 1".into());
        }
        let filtered = conditions.join(" AND ");
        let count_sql = format!("SELECT COUNT(*) AS n FROM services WHERE {filtered}");
        let mut count = sqlx::query(&count_sql);
        for b in &binds {
            count = count.bind(b.clone());
        }
        let total: i64 = count.fetch_one(&self.reader).await?.try_get("n")?;
        let mut page_conditions = filtered;
        if let Some(after) = &f.after {
            binds.push(after.clone());
            page_conditions = format!("{page_conditions} AND code > ${}", binds.len());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM services WHERE {page_conditions} ORDER BY code LIMIT {}",
            f.limit.clamp(1, 1000)
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        let rows = q.fetch_all(&self.reader).await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        Ok((items, total))
    }

    async fn import_services(&self, all: &[Service], w: Write) -> Result<Imported, StoreError> {
        let at = timestamp(w.audit.at);
        let mut done = Imported::default();
        let mut tx = self.begin_write().await?;
        for s in all {
            if Self::service_write(&mut tx, s, false, &at).await? == 1 {
                done.updated += 1;
            } else {
                Self::service_write(&mut tx, s, true, &at).await?;
                done.created += 1;
            }
        }
        self.finish(tx, w).await?;
        Ok(done)
    }
}
