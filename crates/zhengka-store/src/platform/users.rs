use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::employer::{Role, User};
use zhengka_domain::ids::RegionCode;

use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{SqlStore, StoreError, TOTP_ACTIVE, TOTP_CHANGED, Totp, UserRecord, Write};

pub(crate) const USER_COLUMNS: &str =
    "users.id, users.username, users.role, users.employer_id, users.region_code, users.created_at";

pub(crate) fn user_from_row(row: &AnyRow) -> Result<User, StoreError> {
    let role: String = row.try_get("role")?;
    let region: Option<String> = row.try_get("region_code")?;
    let created_at: String = row.try_get("created_at")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::other(format!("unknown role {role}")))?,
        employer_id: row.try_get("employer_id")?,
        region_code: region
            .map(|r| parsed(RegionCode::parse(&r), "region"))
            .transpose()?,
        created_at: parse_time(&created_at)?,
    })
}

/// The users row of `u`, inside a write of the users context or of a context
/// that makes an account with its own rows (a relying party's member).
pub(crate) async fn insert_user_row(
    tx: &mut crate::WriteTx,
    u: &User,
    password_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, role, employer_id, region_code, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&u.id)
    .bind(&u.username)
    .bind(password_hash)
    .bind(u.role.as_str())
    .bind(u.employer_id.as_deref())
    .bind(u.region_code.as_ref().map(|r| r.as_str()))
    .bind(timestamp(u.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl SqlStore {
    pub(crate) async fn user_insert(
        &self,
        u: &User,
        password_hash: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        insert_user_row(&mut tx, u, password_hash).await?;
        self.finish(tx, w).await
    }

    pub(crate) async fn user_by_name(&self, username: &str) -> Result<UserRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, users.password_hash, users.totp_enc, users.totp_active, \
             users.totp_last_step, \
             (SELECT COUNT(*) FROM user_blocks b WHERE b.user_id = users.id) AS blocks \
             FROM users WHERE users.username = $1"
        ))
        .bind(username)
        .fetch_one(&self.reader)
        .await?;
        let user = user_from_row(&row)?;
        let sealed: Option<Vec<u8>> = row.try_get("totp_enc")?;
        let totp = match sealed {
            Some(sealed) => Some(Totp {
                secret: self
                    .vault
                    .open(&format!("users:{}:totp", user.id), &sealed)?,
                active: row.try_get::<i64, _>("totp_active")? == 1,
                last_step: row.try_get("totp_last_step")?,
            }),
            None => None,
        };
        Ok(UserRecord {
            user,
            password_hash: row.try_get("password_hash")?,
            totp,
            blocked: row.try_get::<i64, _>("blocks")? > 0,
        })
    }

    pub(crate) async fn user_get(&self, id: &str) -> Result<User, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE users.id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        user_from_row(&row)
    }

    pub(crate) async fn user_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get("n")?)
    }

    pub(crate) async fn user_list(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<User>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE users.username > $1 ORDER BY users.username LIMIT $2"
        ))
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// A new, unconfirmed secret, unless TOTP is on: the guard is in the
    /// `UPDATE`, so an enrolment racing a confirmation cannot switch TOTP off.
    pub(crate) async fn totp_enrol(
        &self,
        user_id: &str,
        secret: &[u8],
        w: Write,
    ) -> Result<(), StoreError> {
        let sealed = self.vault.seal(&format!("users:{user_id}:totp"), secret)?;
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE users SET totp_enc = $1, totp_active = 0, totp_last_step = NULL \
             WHERE id = $2 AND totp_active = 0",
        )
        .bind(sealed)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict(TOTP_ACTIVE));
        }
        self.finish(tx, w).await
    }

    /// Switch TOTP on for the pending `secret`, and use `step` (the code that
    /// confirmed it), if that secret is still the pending one: compared to the
    /// ciphertext read in the same transaction, so a new enrolment in between
    /// makes this a conflict rather than activating a secret nobody holds.
    pub(crate) async fn totp_activate(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT totp_enc FROM users WHERE id = $1 AND totp_active = 0")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let sealed: Option<Vec<u8>> = match row {
            Some(r) => r.try_get("totp_enc")?,
            None => None,
        };
        let sealed = sealed.ok_or_else(|| StoreError::conflict(TOTP_CHANGED))?;
        let pending = self.vault.open(&format!("users:{user_id}:totp"), &sealed)?;
        if pending != secret {
            return Err(StoreError::conflict(TOTP_CHANGED));
        }
        let done = sqlx::query(
            "UPDATE users SET totp_active = 1, totp_last_step = $1 \
             WHERE id = $2 AND totp_active = 0 AND totp_enc = $3",
        )
        .bind(step)
        .bind(user_id)
        .bind(sealed)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict(TOTP_CHANGED));
        }
        self.finish(tx, w).await
    }

    /// Forget the secret, guarded like the activation: the secret read in
    /// this transaction is the one the code was checked against, and the
    /// code's step is newer than any used (a code turns TOTP off once).
    pub(crate) async fn totp_disable(
        &self,
        user_id: &str,
        secret: &[u8],
        step: i64,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT totp_enc FROM users WHERE id = $1 AND totp_active = 1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let sealed: Option<Vec<u8>> = match row {
            Some(r) => r.try_get("totp_enc")?,
            None => None,
        };
        let sealed = sealed.ok_or_else(|| StoreError::conflict(TOTP_CHANGED))?;
        if self.vault.open(&format!("users:{user_id}:totp"), &sealed)? != secret {
            return Err(StoreError::conflict(TOTP_CHANGED));
        }
        let done = sqlx::query(
            "UPDATE users SET totp_enc = NULL, totp_active = 0, totp_last_step = NULL \
             WHERE id = $1 AND totp_active = 1 AND totp_enc = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $3)",
        )
        .bind(user_id)
        .bind(sealed)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict(TOTP_CHANGED));
        }
        self.finish(tx, w).await
    }

    pub(crate) async fn totp_use_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
