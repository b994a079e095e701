//! The social security context's tables: accounts, stored whole and encrypted
//! (they carry the SSN and the holder's identity); the SSN is found by keyed
//! hash. One account per person is the unique key on the permit number.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::permits::permit::PermitNumber;
use zhengka_domain::social_security::{Account, Ssn};

use crate::audit::timestamp;
use crate::{Page, SqlStore, StoreError, Write};

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    pub employer_id: Option<String>,
    /// Accounts in this region or below it (the code prefix).
    pub region_prefix: Option<String>,
    /// Keyset cursor: (created_at, id) of the last item seen.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

#[async_trait]
pub trait SocialSecurityStore: Send + Sync {
    /// Open an account; a second one for the same permit number (the person)
    /// is `Conflict("already_enrolled")`, a clashing SSN `Conflict("ssn")`.
    async fn insert_account(&self, a: &Account, w: Write) -> Result<(), StoreError>;
    /// Save `a` if its stored version is still `a.version - 1`.
    async fn update_account(&self, a: &Account, w: Write) -> Result<(), StoreError>;
    async fn get_account(&self, id: &str) -> Result<Account, StoreError>;
    /// Published query `account_by_ssn`.
    async fn account_by_ssn(&self, ssn: &Ssn) -> Result<Account, StoreError>;
    /// Published query `account_for_permit`.
    async fn account_for_permit(&self, n: &PermitNumber) -> Result<Account, StoreError>;
    /// Newest first.
    async fn list_accounts(&self, f: &AccountFilter) -> Result<Page<Account>, StoreError>;
    /// Which of these permit numbers have an account.
    async fn enrolled_permits(&self, numbers: &[String]) -> Result<Vec<String>, StoreError>;
}

const COLUMNS: &str = "id, record_enc, created_at";

impl SqlStore {
    fn seal_account(&self, a: &Account) -> Result<Vec<u8>, StoreError> {
        self.vault
            .seal(&format!("ss_accounts:{}", a.id), &serde_json::to_vec(a)?)
    }

    fn open_account(&self, row: &AnyRow) -> Result<Account, StoreError> {
        let id: String = row.try_get("id")?;
        let sealed: Vec<u8> = row.try_get("record_enc")?;
        let json = self.vault.open(&format!("ss_accounts:{id}"), &sealed)?;
        Ok(serde_json::from_slice(&json)?)
    }

    async fn account_where(&self, clause: &str, value: &str) -> Result<Account, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ss_accounts WHERE {clause} = $1"
        ))
        .bind(value)
        .fetch_one(&self.reader)
        .await?;
        self.open_account(&row)
    }
}

fn status_of(a: &Account) -> &'static str {
    if a.ended.is_some() { "ended" } else { "open" }
}

/// Name the unique key that failed, on either backend (SQLite reports the
/// columns, PostgreSQL the constraint).
fn account_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what } if what.contains("permit") => {
            StoreError::conflict("already_enrolled")
        }
        StoreError::Conflict { what } if what.contains("ssn") => StoreError::conflict("ssn"),
        other => other,
    }
}

#[async_trait]
impl SocialSecurityStore for SqlStore {
    async fn insert_account(&self, a: &Account, w: Write) -> Result<(), StoreError> {
        let sealed = self.seal_account(a)?;
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO ss_accounts (id, ssn_hmac, permit_number, employer_id, region_code, \
             status, record_enc, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
        )
        .bind(&a.id)
        .bind(self.vault.index("ssn", a.ssn.expose()))
        .bind(a.permit_number.as_str())
        .bind(&a.employer_id)
        .bind(a.region_code.as_str())
        .bind(status_of(a))
        .bind(sealed)
        .bind(a.version)
        .bind(timestamp(a.opened_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| account_conflict(e.into()))?;
        self.finish(tx, w).await
    }

    async fn update_account(&self, a: &Account, w: Write) -> Result<(), StoreError> {
        let sealed = self.seal_account(a)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE ss_accounts SET employer_id = $1, status = $2, record_enc = $3, \
             version = $4, updated_at = $5 WHERE id = $6 AND version = $7",
        )
        .bind(&a.employer_id)
        .bind(status_of(a))
        .bind(sealed)
        .bind(a.version)
        .bind(timestamp(w.audit.at))
        .bind(&a.id)
        .bind(a.version - 1)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("account_version"));
        }
        self.finish(tx, w).await
    }

    async fn get_account(&self, id: &str) -> Result<Account, StoreError> {
        self.account_where("id", id).await
    }

    async fn account_by_ssn(&self, ssn: &Ssn) -> Result<Account, StoreError> {
        let hmac = self.vault.index("ssn", ssn.expose());
        self.account_where("ssn_hmac", &hmac).await
    }

    async fn account_for_permit(&self, n: &PermitNumber) -> Result<Account, StoreError> {
        self.account_where("permit_number", n.as_str()).await
    }

    async fn list_accounts(&self, f: &AccountFilter) -> Result<Page<Account>, StoreError> {
        let (after_at, after_id) = f.after.clone().unwrap_or_default();
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ss_accounts WHERE ($1 IS NULL OR employer_id = $1) \
             AND ($2 IS NULL OR region_code LIKE $2) \
             AND ($3 = '' OR created_at < $3 OR (created_at = $3 AND id < $4)) \
             ORDER BY created_at DESC, id DESC LIMIT $5"
        ))
        .bind(f.employer_id.as_deref())
        .bind(f.region_prefix.as_ref().map(|p| format!("{p}%")))
        .bind(after_at)
        .bind(after_id)
        .bind(f.limit + 1)
        .fetch_all(&self.reader)
        .await?;
        let mut items = rows
            .iter()
            .map(|r| self.open_account(r))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() as i64 > f.limit {
            items.truncate(f.limit as usize);
            items.last().map(|a| (timestamp(a.opened_at), a.id.clone()))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    async fn enrolled_permits(&self, numbers: &[String]) -> Result<Vec<String>, StoreError> {
        if numbers.is_empty() {
            return Ok(vec![]);
        }
        let marks: Vec<String> = (1..=numbers.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT permit_number FROM ss_accounts WHERE permit_number IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for n in numbers {
            q = q.bind(n.as_str());
        }
        let rows = q.fetch_all(&self.reader).await?;
        rows.iter()
            .map(|r| r.try_get("permit_number").map_err(StoreError::from))
            .collect()
    }
}
