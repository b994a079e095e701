//! The holder's devices (`ecard_devices`): each row binds a device key to the
//! status-list entry (list 3) of the card credential issued for it. A row
//! whose `credential_status` is `retired` is no device: it keeps an index a
//! device held before its credential was reissued (the permit's facts
//! changed), so the list keeps that old credential revoked and the index is
//! never given out again. Listing and counting see devices only.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::cards::CredentialState;
use zhengka_domain::ecard::{Device, DeviceName};

use crate::audit::timestamp;
use crate::platform::employers::parse_time;
use crate::{SqlStore, StoreError, Write};

/// The `credential_status` of a row that only keeps a superseded index.
pub(crate) const RETIRED: &str = "retired";

/// What binding a device key did.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    /// A new device row (the write committed).
    Inserted,
    /// The holder has this key bound already: that device, nothing written.
    Existing(Device),
}

#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Bind `d` to its holder, at most `limit` devices not revoked per holder.
    /// Serialised per holder (the holder row is locked first), so two bindings
    /// at once cannot pass the limit or bind one key twice. The same key bound
    /// already is `Bound::Existing`; a key the holder revoked is
    /// `Conflict("device_key_revoked")`; over the limit
    /// `Conflict("too_many_devices")`; a closed holder `Conflict("holder_closed")`;
    /// an index taken meanwhile `Conflict("device_status_index")` (draw again).
    async fn bind_device(&self, d: &Device, limit: usize, w: Write) -> Result<Bound, StoreError>;
    async fn get_device(&self, id: &str) -> Result<Device, StoreError>;
    /// The holder's devices, revoked ones included, oldest first.
    async fn devices_of_holder(&self, holder_id: &str) -> Result<Vec<Device>, StoreError>;
    /// Revoke `d`; `Conflict("device_revoked")` when it is revoked already.
    async fn revoke_device(&self, d: &Device, w: Write) -> Result<(), StoreError>;
    /// Save the devices' new credential states (revoked devices are left as
    /// they are), and for each `(device, old index)` in `retired` keep the old
    /// index revoked, in one transaction (a subscriber's reaction).
    async fn save_device_credentials(
        &self,
        devices: &[Device],
        retired: &[(Device, u32)],
        w: Write,
    ) -> Result<(), StoreError>;
    /// Every index of the device status list with its state (retired ones revoked).
    async fn device_status_entries(&self) -> Result<Vec<(u32, CredentialState)>, StoreError>;
}

const COLUMNS: &str =
    "id, holder_id, name, public_key, status_index, credential_status, created_at, revoked_at";

fn from_row(row: &AnyRow) -> Result<Device, StoreError> {
    let status: String = row.try_get("credential_status")?;
    let index: i64 = row.try_get("status_index")?;
    let name: String = row.try_get("name")?;
    let created: String = row.try_get("created_at")?;
    let revoked: Option<String> = row.try_get("revoked_at")?;
    Ok(Device {
        id: row.try_get("id")?,
        holder_id: row.try_get("holder_id")?,
        name: DeviceName::parse(&name).map_err(|e| StoreError::other(e.message))?,
        public_key: row.try_get("public_key")?,
        status_index: u32::try_from(index).map_err(StoreError::other)?,
        credential_status: CredentialState::parse(&status)
            .ok_or_else(|| StoreError::other(format!("unknown credential status {status}")))?,
        created_at: parse_time(&created)?,
        revoked_at: revoked.as_deref().map(parse_time).transpose()?,
    })
}

fn index_conflict(e: StoreError) -> StoreError {
    match e {
        StoreError::Conflict { what } if what.contains("status_index") => {
            StoreError::conflict("device_status_index")
        }
        other => other,
    }
}

impl SqlStore {
    async fn insert_device_row(
        tx: &mut crate::WriteTx,
        d: &Device,
        status: &str,
        revoked_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO ecard_devices ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&d.id)
        .bind(&d.holder_id)
        .bind(d.name.as_str())
        .bind(d.public_key.clone())
        .bind(i64::from(d.status_index))
        .bind(status)
        .bind(timestamp(d.created_at))
        .bind(revoked_at.map(timestamp))
        .execute(&mut **tx)
        .await
        .map_err(|e| index_conflict(e.into()))?;
        Ok(())
    }
}

#[async_trait]
impl DeviceStore for SqlStore {
    async fn bind_device(&self, d: &Device, limit: usize, w: Write) -> Result<Bound, StoreError> {
        let mut tx = self.begin_write().await?;
        // Takes the holder's row lock on PostgreSQL (a no-op update), so a
        // second binding for the holder waits here and then reads this one's
        // row; SQLite has one writer anyway.
        let open = sqlx::query(
            "UPDATE ecard_holders SET status = status WHERE id = $1 AND status = 'active'",
        )
        .bind(&d.holder_id)
        .execute(&mut *tx)
        .await?;
        if open.rows_affected() != 1 {
            return Err(StoreError::conflict("holder_closed"));
        }
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ecard_devices WHERE holder_id = $1 AND credential_status <> $2"
        ))
        .bind(&d.holder_id)
        .bind(RETIRED)
        .fetch_all(&mut *tx)
        .await?;
        let devices = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        if let Some(same) = devices.iter().find(|x| x.public_key == d.public_key) {
            if same.is_revoked() {
                return Err(StoreError::conflict("device_key_revoked"));
            }
            return Ok(Bound::Existing(same.clone()));
        }
        if devices.iter().filter(|x| !x.is_revoked()).count() >= limit {
            return Err(StoreError::conflict("too_many_devices"));
        }
        Self::insert_device_row(&mut tx, d, d.credential_status.as_str(), d.revoked_at).await?;
        self.finish(tx, w).await?;
        Ok(Bound::Inserted)
    }

    async fn get_device(&self, id: &str) -> Result<Device, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ecard_devices WHERE id = $1 AND credential_status <> $2"
        ))
        .bind(id)
        .bind(RETIRED)
        .fetch_one(&self.reader)
        .await?;
        from_row(&row)
    }

    async fn devices_of_holder(&self, holder_id: &str) -> Result<Vec<Device>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM ecard_devices WHERE holder_id = $1 AND credential_status <> $2 \
             ORDER BY created_at, id"
        ))
        .bind(holder_id)
        .bind(RETIRED)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn revoke_device(&self, d: &Device, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE ecard_devices SET revoked_at = $1, credential_status = 'revoked' \
             WHERE id = $2 AND revoked_at IS NULL AND credential_status <> $3",
        )
        .bind(timestamp(w.audit.at))
        .bind(&d.id)
        .bind(RETIRED)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::conflict("device_revoked"));
        }
        self.finish(tx, w).await
    }

    async fn save_device_credentials(
        &self,
        devices: &[Device],
        retired: &[(Device, u32)],
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for (d, old) in retired {
            // The old index first leaves the device, then is kept by its own row.
            let moved = sqlx::query(
                "UPDATE ecard_devices SET status_index = $1 \
                 WHERE id = $2 AND status_index = $3 AND revoked_at IS NULL",
            )
            .bind(i64::from(d.status_index))
            .bind(&d.id)
            .bind(i64::from(*old))
            .execute(&mut *tx)
            .await
            .map_err(|e| index_conflict(e.into()))?;
            if moved.rows_affected() != 1 {
                return Err(StoreError::conflict("device_changed"));
            }
            let keeper = Device {
                id: uuid::Uuid::new_v4().to_string(),
                status_index: *old,
                ..d.clone()
            };
            Self::insert_device_row(&mut tx, &keeper, RETIRED, Some(w.audit.at)).await?;
        }
        for d in devices {
            sqlx::query(
                "UPDATE ecard_devices SET credential_status = $1 \
                 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(d.credential_status.as_str())
            .bind(&d.id)
            .execute(&mut *tx)
            .await?;
        }
        self.finish(tx, w).await
    }

    async fn device_status_entries(&self) -> Result<Vec<(u32, CredentialState)>, StoreError> {
        let rows = sqlx::query("SELECT status_index, credential_status FROM ecard_devices")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| {
                let index: i64 = row.try_get("status_index")?;
                let status: String = row.try_get("credential_status")?;
                let state = match status.as_str() {
                    RETIRED => CredentialState::Revoked,
                    s => CredentialState::parse(s).ok_or_else(|| {
                        StoreError::other(format!("unknown credential status {s}"))
                    })?,
                };
                Ok((u32::try_from(index).map_err(StoreError::other)?, state))
            })
            .collect()
    }
}
