use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::ecard::{Registration, RegistrationPurpose, RegistrationStatus};
use zhengka_domain::permits::permit::PermitNumber;

use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{SqlStore, StoreError, Write};

fn from_row(row: &AnyRow) -> Result<Registration, StoreError> {
    let number: String = row.try_get("permit_number")?;
    let purpose: String = row.try_get("purpose")?;
    let status: String = row.try_get("status")?;
    Ok(Registration {
        id: row.try_get("id")?,
        permit_number: parsed(PermitNumber::parse(&number), "permit number")?,
        purpose: match purpose.as_str() {
            "register" => RegistrationPurpose::Register,
            "reset_password" => RegistrationPurpose::ResetPassword,
            other => return Err(StoreError::other(format!("unknown purpose {other}"))),
        },
        status: match status.as_str() {
            "awaiting_real_person" => RegistrationStatus::AwaitingRealPerson,
            "completed" => RegistrationStatus::Completed,
            other => return Err(StoreError::other(format!("unknown status {other}"))),
        },
        password_hash: row.try_get("password_hash")?,
        lang: row.try_get("lang")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        expires_at: parse_time(&row.try_get::<String, _>("expires_at")?)?,
    })
}

impl SqlStore {
    pub(super) async fn registration_insert(
        &self,
        r: &Registration,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO ecard_registrations (id, permit_number, purpose, status, \
             password_hash, lang, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&r.id)
        .bind(r.permit_number.as_str())
        .bind(r.purpose.as_str())
        .bind(r.status.as_str())
        .bind(&r.password_hash)
        .bind(&r.lang)
        .bind(timestamp(r.created_at))
        .bind(timestamp(r.expires_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    pub(super) async fn registration_get(&self, id: &str) -> Result<Registration, StoreError> {
        let row = sqlx::query(
            "SELECT id, permit_number, purpose, status, password_hash, lang, created_at, \
             expires_at FROM ecard_registrations WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        from_row(&row)
    }

    /// Mark `r` completed inside `tx`, only if it is still awaiting: two
    /// real-person passes of one registration use it once.
    pub(super) async fn registration_close(
        tx: &mut crate::WriteTx,
        r: &Registration,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE ecard_registrations SET status = 'completed' \
             WHERE id = $1 AND status = 'awaiting_real_person'",
        )
        .bind(&r.id)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("registration_closed"));
        }
        Ok(())
    }

    pub(super) async fn registration_purge(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM ecard_registrations WHERE expires_at < $1")
            .bind(timestamp(now))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }
}
