use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::employer::{Role, User};
use zhengka_domain::ids::RegionCode;

use crate::audit::timestamp;
use crate::employers::{parse_time, parsed};
use crate::idempotency::finish;
use crate::{SqlStore, StoreError, UserRecord, Write};

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

impl SqlStore {
    pub(crate) async fn user_insert(
        &self,
        u: &User,
        password_hash: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.writer.begin().await?;
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
        .execute(&mut *tx)
        .await?;
        finish(tx, w).await
    }

    pub(crate) async fn user_by_name(&self, username: &str) -> Result<UserRecord, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, users.password_hash FROM users WHERE users.username = $1"
        ))
        .bind(username)
        .fetch_one(&self.reader)
        .await?;
        Ok(UserRecord {
            user: user_from_row(&row)?,
            password_hash: row.try_get("password_hash")?,
        })
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
}
