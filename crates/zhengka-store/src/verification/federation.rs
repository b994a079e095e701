//! The pinned peer regions and the lists last accepted from them. Whether a
//! list may be accepted is the caller's (it verifies it under the anchor);
//! that an older list never replaces a newer one is decided here, inside the
//! write, so two refreshes racing keep the newest.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;
use zhengka_domain::ids::RegionCode;
use zhengka_domain::verification::Peer;

use crate::audit::timestamp;
use crate::platform::employers::{parse_time, parsed};
use crate::{SqlStore, StoreError, Write};

/// A peer with what was last fetched from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerState {
    pub peer: Peer,
    /// The signed trust list (base64 of its COSE bytes) and its seq.
    pub trust_list: Option<(String, i64)>,
    pub fetched_at: Option<DateTime<Utc>>,
    pub last_error: Option<(String, DateTime<Utc>)>,
}

/// One accepted status list of a peer, as signed (base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerStatusList {
    pub uri: String,
    pub token: String,
    pub iat: i64,
    pub fetched_at: DateTime<Utc>,
}

/// What one fetch accepted. `trust_list`: base64 and seq.
#[derive(Debug, Clone, Default)]
pub struct PeerFetch {
    pub trust_list: Option<(String, i64)>,
    pub status_lists: Vec<PeerStatusList>,
}

/// What a recorded fetch changed: lists older than (or as old as) the stored
/// ones are kept out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchRecorded {
    pub trust_list_replaced: bool,
    pub status_lists_replaced: usize,
}

#[async_trait]
pub trait FederationStore: Send + Sync {
    /// A second peer of the same region is `Conflict` (unique index).
    async fn insert_peer(&self, p: &Peer, w: Write) -> Result<(), StoreError>;
    async fn peer(&self, id: &str) -> Result<PeerState, StoreError>;
    /// Every peer, by region.
    async fn peers(&self) -> Result<Vec<PeerState>, StoreError>;
    /// Removes the peer and its lists.
    async fn delete_peer(&self, id: &str, w: Write) -> Result<(), StoreError>;
    /// The peer's accepted status lists.
    async fn peer_status_lists(&self, id: &str) -> Result<Vec<PeerStatusList>, StoreError>;
    /// Every peer's accepted status lists: (peer id, list).
    async fn all_peer_status_lists(&self) -> Result<Vec<(String, PeerStatusList)>, StoreError>;
    /// Stores what a fetch at `at` accepted, each list only if newer than the
    /// stored one, and clears the last error.
    async fn record_peer_fetch(
        &self,
        id: &str,
        fetch: &PeerFetch,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<FetchRecorded, StoreError>;
    /// Records why a fetch at `at` failed; the lists stay as they were.
    async fn record_peer_error(
        &self,
        id: &str,
        error: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError>;
}

const COLUMNS: &str = "id, region_code, name, anchor, url, max_age_seconds, trust_list, \
                       trust_seq, fetched_at, last_error, last_error_at, created_at";

fn state(row: &AnyRow) -> Result<PeerState, StoreError> {
    let region: String = row.try_get("region_code")?;
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<String>, _>(name)?
            .as_deref()
            .map(parse_time)
            .transpose()
    };
    let trust: Option<String> = row.try_get("trust_list")?;
    let seq: Option<i64> = row.try_get("trust_seq")?;
    let error: Option<String> = row.try_get("last_error")?;
    Ok(PeerState {
        peer: Peer {
            id: row.try_get("id")?,
            region_code: parsed(RegionCode::parse(&region), "region")?,
            name: row.try_get("name")?,
            anchor: row.try_get("anchor")?,
            url: row.try_get("url")?,
            max_age_seconds: row.try_get("max_age_seconds")?,
            created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        },
        trust_list: trust.zip(seq),
        fetched_at: time("fetched_at")?,
        last_error: error.zip(time("last_error_at")?),
    })
}

fn status_list(row: &AnyRow) -> Result<PeerStatusList, StoreError> {
    Ok(PeerStatusList {
        uri: row.try_get("uri")?,
        token: row.try_get("token")?,
        iat: row.try_get("iat")?,
        fetched_at: parse_time(&row.try_get::<String, _>("fetched_at")?)?,
    })
}

#[async_trait]
impl FederationStore for SqlStore {
    async fn insert_peer(&self, p: &Peer, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO federation_peers (id, region_code, name, anchor, url, max_age_seconds, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.id)
        .bind(p.region_code.as_str())
        .bind(&p.name)
        .bind(&p.anchor)
        .bind(p.url.clone())
        .bind(p.max_age_seconds)
        .bind(timestamp(p.created_at))
        .execute(&mut *tx)
        .await?;
        self.finish(tx, w).await
    }

    async fn peer(&self, id: &str) -> Result<PeerState, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM federation_peers WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        state(&row)
    }

    async fn peers(&self) -> Result<Vec<PeerState>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM federation_peers ORDER BY region_code"
        ))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(state).collect()
    }

    async fn delete_peer(&self, id: &str, w: Write) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM federation_status_lists WHERE peer_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM federation_peers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }

    async fn peer_status_lists(&self, id: &str) -> Result<Vec<PeerStatusList>, StoreError> {
        let rows = sqlx::query(
            "SELECT uri, token, iat, fetched_at FROM federation_status_lists \
             WHERE peer_id = $1 ORDER BY uri",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(status_list).collect()
    }

    async fn all_peer_status_lists(&self) -> Result<Vec<(String, PeerStatusList)>, StoreError> {
        let rows = sqlx::query(
            "SELECT peer_id, uri, token, iat, fetched_at FROM federation_status_lists \
             ORDER BY peer_id, uri",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("peer_id")?, status_list(r)?)))
            .collect()
    }

    async fn record_peer_fetch(
        &self,
        id: &str,
        fetch: &PeerFetch,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<FetchRecorded, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE federation_peers SET fetched_at = $1, last_error = NULL, last_error_at = NULL \
             WHERE id = $2",
        )
        .bind(timestamp(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let mut recorded = FetchRecorded::default();
        if let Some((token, seq)) = &fetch.trust_list {
            let done = sqlx::query(
                "UPDATE federation_peers SET trust_list = $1, trust_seq = $2 \
                 WHERE id = $3 AND (trust_seq IS NULL OR trust_seq < $2)",
            )
            .bind(token)
            .bind(*seq)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            recorded.trust_list_replaced = done.rows_affected() == 1;
        }
        for list in &fetch.status_lists {
            let done = sqlx::query(
                "INSERT INTO federation_status_lists (peer_id, uri, token, iat, fetched_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (peer_id, uri) DO UPDATE SET \
                 token = excluded.token, iat = excluded.iat, fetched_at = excluded.fetched_at \
                 WHERE federation_status_lists.iat < excluded.iat",
            )
            .bind(id)
            .bind(&list.uri)
            .bind(&list.token)
            .bind(list.iat)
            .bind(timestamp(list.fetched_at))
            .execute(&mut *tx)
            .await?;
            recorded.status_lists_replaced += usize::from(done.rows_affected() == 1);
        }
        self.finish(tx, w).await?;
        Ok(recorded)
    }

    async fn record_peer_error(
        &self,
        id: &str,
        error: &str,
        at: DateTime<Utc>,
        w: Write,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE federation_peers SET last_error = $1, last_error_at = $2 WHERE id = $3",
        )
        .bind(error)
        .bind(timestamp(at))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        self.finish(tx, w).await
    }
}
