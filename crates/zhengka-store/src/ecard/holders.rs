use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::ecard::{Holder, Registration};
use zhengka_domain::employer::User;

use crate::audit::timestamp;
use crate::{Page, SqlStore, StoreError, Write};

fn from_row(row: &AnyRow) -> Result<Holder, StoreError> {
    let record: String = row.try_get("record")?;
    Ok(serde_json::from_str(&record)?)
}

/// Name the unique key that failed, on either backend.
fn holder_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what }
            if what.contains("permit_number") || what.contains("one_per_person") =>
        {
            StoreError::conflict("already_registered")
        }
        StoreError::Conflict { what } if what.contains("username") => {
            StoreError::conflict("already_registered")
        }
        other => other,
    }
}

impl SqlStore {
    pub(super) async fn holder_open(
        &self,
        r: &Registration,
        h: &Holder,
        u: &User,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::registration_close(&mut tx, r).await?;
        sqlx::query(
            "INSERT INTO users (id, username, password_hash, role, employer_id, region_code, \
             created_at) VALUES ($1, $2, $3, $4, NULL, NULL, $5)",
        )
        .bind(&u.id)
        .bind(&u.username)
        .bind(&r.password_hash)
        .bind(u.role.as_str())
        .bind(timestamp(u.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| holder_conflict(e.into()))?;
        sqlx::query(
            "INSERT INTO ecard_holders (id, user_id, permit_number, status, record, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&h.id)
        .bind(&h.user_id)
        .bind(h.permit_number.as_str())
        .bind(h.status.as_str())
        .bind(serde_json::to_string(h)?)
        .bind(timestamp(h.created_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| holder_conflict(e.into()))?;
        self.finish(tx, w).await
    }

    pub(super) async fn holder_password_reset(
        &self,
        r: &Registration,
        user_id: &str,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        Self::registration_close(&mut tx, r).await?;
        // A reset is also how a holder who lost the phone with the TOTP app
        // gets back in: the real-person check stands for both factors.
        let done = sqlx::query(
            "UPDATE users SET password_hash = $1, totp_enc = NULL, totp_active = 0, \
             totp_last_step = NULL WHERE id = $2",
        )
        .bind(&r.password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        self.finish(tx, w).await
    }

    pub(super) async fn holder_where(
        &self,
        clause: &str,
        value: &str,
    ) -> Result<Holder, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT record FROM ecard_holders WHERE {clause} ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(value)
        .fetch_one(&self.reader)
        .await?;
        from_row(&row)
    }

    pub(super) async fn holder_close(&self, h: &Holder, w: Write) -> Result<(), StoreError> {
        let mut closed = h.clone();
        closed.close(w.audit.at);
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE ecard_holders SET status = $1, record = $2, closed_at = $3 \
             WHERE id = $4 AND status = 'active'",
        )
        .bind(closed.status.as_str())
        .bind(serde_json::to_string(&closed)?)
        .bind(timestamp(w.audit.at))
        .bind(&h.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("holder_closed"));
        }
        sqlx::query("UPDATE users SET username = $1 WHERE id = $2")
            .bind(closed.closed_username())
            .bind(&h.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(&h.user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE ecard_devices SET revoked_at = $1, credential_status = 'revoked' \
             WHERE holder_id = $2 AND revoked_at IS NULL",
        )
        .bind(timestamp(w.audit.at))
        .bind(&h.id)
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    pub(super) async fn holder_list(
        &self,
        after: Option<(String, String)>,
        limit: i64,
    ) -> Result<Page<Holder>, StoreError> {
        let (at, id) = after.unwrap_or_default();
        let rows = sqlx::query(
            "SELECT record, created_at, id FROM ecard_holders WHERE status = 'active' \
             AND (created_at > $1 OR (created_at = $1 AND id > $2)) \
             ORDER BY created_at, id LIMIT $3",
        )
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        let next_cursor = match rows.last() {
            Some(last) if rows.len() as i64 == limit => {
                Some((last.try_get("created_at")?, last.try_get("id")?))
            }
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }
}
