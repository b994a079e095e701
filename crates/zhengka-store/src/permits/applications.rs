//! Applications are stored whole and encrypted (they carry personal data); the
//! columns beside the ciphertext are only what lists and filters need.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use zhengka_domain::permits::application::Application;
use zhengka_domain::permits::permit::Permit;

use crate::audit::timestamp;
use crate::{ApplicationFilter, Page, SqlStore, StoreError, Write};

const COLUMNS: &str = "id, record_enc, created_at";

impl SqlStore {
    fn seal_application(&self, a: &Application) -> Result<Vec<u8>, StoreError> {
        let json = serde_json::to_vec(a)?;
        self.vault.seal(&format!("applications:{}", a.id), &json)
    }

    fn open_application(&self, row: &AnyRow) -> Result<Application, StoreError> {
        let id: String = row.try_get("id")?;
        let sealed: Vec<u8> = row.try_get("record_enc")?;
        let json = self.vault.open(&format!("applications:{id}"), &sealed)?;
        Ok(serde_json::from_slice(&json)?)
    }

    fn passport_index(&self, a: &Application) -> Option<String> {
        a.form
            .foreigner
            .as_ref()
            .map(|f| self.vault.index("passport", f.passport_number.expose()))
    }

    pub(crate) async fn application_insert(
        &self,
        a: &Application,
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.seal_application(a)?;
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO applications (id, employer_id, region_code, kind, status, permit_number, \
             passport_hmac, record_enc, decision_due_on, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&a.id)
        .bind(&a.employer_id)
        .bind(a.region_code.as_str())
        .bind(a.form.kind.as_str())
        .bind(a.status.as_str())
        .bind(a.permit_number.as_ref().map(|p| p.as_str().to_owned()))
        .bind(self.passport_index(a))
        .bind(sealed)
        .bind(a.decision_due_on.map(|d| d.to_string()))
        .bind(a.version)
        .bind(timestamp(a.created_at))
        .bind(timestamp(a.updated_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    pub(crate) async fn application_get(&self, id: &str) -> Result<Application, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.reader)
            .await?;
        self.open_application(&row)
    }

    pub(crate) async fn application_list(
        &self,
        f: &ApplicationFilter,
    ) -> Result<Page<Application>, StoreError> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM applications WHERE ($1 IS NULL OR employer_id = $1) \
             AND ($2 IS NULL OR region_code LIKE $2) AND ($3 IS NULL OR kind = $3)"
        );
        let mut n = 3;
        if !f.statuses.is_empty() {
            let marks: Vec<String> = (0..f.statuses.len())
                .map(|i| format!("${}", n + 1 + i))
                .collect();
            n += f.statuses.len();
            sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
        }
        if f.after.is_some() {
            sql.push_str(&format!(
                " AND (created_at < ${a} OR (created_at = ${a} AND id < ${b}))",
                a = n + 1,
                b = n + 2
            ));
            n += 2;
        }
        sql.push_str(&format!(
            " ORDER BY created_at DESC, id DESC LIMIT ${}",
            n + 1
        ));
        let mut q = sqlx::query(&sql)
            .bind(f.employer_id.as_deref())
            .bind(f.region_prefix.as_ref().map(|p| format!("{p}%")))
            .bind(f.kind.map(|k| k.as_str()));
        for s in &f.statuses {
            q = q.bind(s.as_str());
        }
        if let Some((created_at, id)) = &f.after {
            q = q.bind(created_at.as_str()).bind(id.as_str());
        }
        let rows = q.bind(f.limit + 1).fetch_all(&self.reader).await?;
        let mut items = rows
            .iter()
            .map(|r| self.open_application(r))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() as i64 > f.limit {
            items.truncate(f.limit as usize);
            items
                .last()
                .map(|a| (timestamp(a.created_at), a.id.clone()))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    pub(crate) async fn application_update(
        &self,
        a: &Application,
        permit: Option<&Permit>,
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.seal_application(a)?;
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(
            "UPDATE applications SET status = $1, permit_number = $2, passport_hmac = $3, \
             record_enc = $4, decision_due_on = $5, version = $6, updated_at = $7 \
             WHERE id = $8 AND version = $9",
        )
        .bind(a.status.as_str())
        .bind(a.permit_number.as_ref().map(|p| p.as_str().to_owned()))
        .bind(self.passport_index(a))
        .bind(sealed)
        .bind(a.decision_due_on.map(|d| d.to_string()))
        .bind(a.version)
        .bind(timestamp(a.updated_at))
        .bind(&a.id)
        .bind(a.version - 1)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("application_version"));
        }
        if let Some(p) = permit {
            self.permit_write(&mut tx, p).await?;
        }
        self.finish(tx, w).await
    }

    /// Insert a new permit (version 0) or update an existing one at its version.
    pub(crate) async fn permit_write(
        &self,
        tx: &mut Transaction<'_, Any>,
        p: &Permit,
    ) -> Result<(), StoreError> {
        let mut stored = p.clone();
        stored.version = p.version + 1;
        let sealed = self.vault.seal(
            &format!("permits:{}", p.permit_number),
            &serde_json::to_vec(&stored)?,
        )?;
        let hmac = self.vault.index("passport", p.passport_number.expose());
        let now = timestamp(chrono::Utc::now());
        let query = if p.version == 0 {
            "INSERT INTO permits (employer_id, region_code, passport_hmac, status, valid_to, \
             record_enc, version, updated_at, permit_number, status_index) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11)"
        } else {
            "UPDATE permits SET employer_id = $1, region_code = $2, passport_hmac = $3, \
             status = $4, valid_to = $5, record_enc = $6, version = $7, updated_at = $8, \
             status_index = $11 WHERE permit_number = $9 AND version = $10"
        };
        let done = sqlx::query(query)
            .bind(&p.employer_id)
            .bind(p.region_code.as_str())
            .bind(hmac)
            .bind(p.status.as_str())
            .bind(p.valid_to.to_string())
            .bind(sealed)
            .bind(stored.version)
            .bind(now)
            .bind(p.permit_number.as_str())
            .bind(p.version)
            .bind(p.status_index.map(i64::from))
            .execute(&mut **tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("permit_version"));
        }
        if let Some(idx) = p.status_index {
            crate::permits::status::claim_index(tx, idx, p.permit_number.as_str()).await?;
        }
        Ok(())
    }
}
