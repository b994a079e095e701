//! Applications are stored whole and encrypted (they carry personal data); the
//! columns beside the ciphertext are only what lists and filters need.

use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::permits::application::Application;
use zhengka_domain::permits::permit::Permit;

use super::search::{application_name_index, name_index, onsite_columns};
use crate::audit::timestamp;
use crate::{SqlStore, StoreError, Write};

const COLUMNS: &str = "id, record_enc, created_at";

impl SqlStore {
    fn seal_application(&self, a: &Application) -> Result<Vec<u8>, StoreError> {
        let json = serde_json::to_vec(a)?;
        self.vault.seal(&format!("applications:{}", a.id), &json)
    }

    pub(super) fn open_application(&self, row: &AnyRow) -> Result<Application, StoreError> {
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
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO applications (id, employer_id, region_code, kind, status, permit_number, \
             passport_hmac, record_enc, decision_due_on, version, created_at, updated_at, name_hmac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
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
        .bind(application_name_index(&self.vault, a))
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

    pub(crate) async fn application_update(
        &self,
        a: &Application,
        permit: Option<&Permit>,
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.seal_application(a)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE applications SET status = $1, permit_number = $2, passport_hmac = $3, \
             record_enc = $4, decision_due_on = $5, version = $6, updated_at = $7, \
             name_hmac = $10 WHERE id = $8 AND version = $9",
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
        .bind(application_name_index(&self.vault, a))
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
        tx: &mut crate::WriteTx,
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
        let (onsite_state, onsite_due) = onsite_columns(p);
        let query = if p.version == 0 {
            "INSERT INTO permits (employer_id, region_code, passport_hmac, status, valid_to, \
             record_enc, version, updated_at, permit_number, status_index, name_hmac, onsite_state, \
             onsite_due_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, $12, $13, $14)"
        } else {
            "UPDATE permits SET employer_id = $1, region_code = $2, passport_hmac = $3, \
             status = $4, valid_to = $5, record_enc = $6, version = $7, updated_at = $8, \
             status_index = $11, name_hmac = $12, onsite_state = $13, onsite_due_on = $14 \
             WHERE permit_number = $9 AND version = $10"
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
            .bind(name_index(&self.vault, &p.holder_name))
            .bind(onsite_state)
            .bind(onsite_due)
            .execute(&mut **tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("permit_version"));
        }
        if let Some(idx) = p.status_index {
            crate::permits::status::claim_index(tx, idx, p.permit_number.as_str()).await?;
        }
        crate::permits::status::mark_entries(tx, p).await
    }
}
