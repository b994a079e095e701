//! Moving a whole database between backends (SQLite → PostgreSQL, or back):
//! every durable table as JSON lines, rows copied as stored (ciphertext stays
//! ciphertext, so the same store key must go with the data). The audit chain is
//! copied event for event and still verifies on the other side. Sessions,
//! idempotency records (sealed too, but replay records only), attempt
//! counters and presentation nonces are short-lived and not carried over. No
//! column exported holds a passport number or a name in clear.

use std::io::{BufRead, Write as IoWrite};

use serde_json::{Map, Value, json};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::vault::hex;
use crate::{SqlStore, StoreError};

#[derive(Clone, Copy)]
enum Col {
    Text,
    Int,
    Bytes,
}
use Col::*;

/// Tables in an order that satisfies foreign keys, with their columns.
const TABLES: &[(&str, &[(&str, Col)])] = &[
    (
        "employers",
        &[
            ("id", Text),
            ("uscc", Text),
            ("name", Text),
            ("region_code", Text),
            ("address", Text),
            ("created_at", Text),
        ],
    ),
    (
        "users",
        &[
            ("id", Text),
            ("username", Text),
            ("password_hash", Text),
            ("role", Text),
            ("employer_id", Text),
            ("region_code", Text),
            ("created_at", Text),
            ("totp_enc", Bytes),
            ("totp_active", Int),
            ("totp_last_step", Int),
        ],
    ),
    // Switched-off accounts stay off on the other backend (migration 12).
    ("user_blocks", &[("user_id", Text), ("blocked_at", Text)]),
    (
        "permits",
        &[
            ("permit_number", Text),
            ("employer_id", Text),
            ("region_code", Text),
            ("passport_hmac", Text),
            ("status", Text),
            ("valid_to", Text),
            ("record_enc", Bytes),
            ("version", Int),
            ("updated_at", Text),
            ("status_index", Int),
        ],
    ),
    (
        "status_entries",
        &[("idx", Int), ("permit_number", Text), ("created_at", Text)],
    ),
    (
        "applications",
        &[
            ("id", Text),
            ("employer_id", Text),
            ("region_code", Text),
            ("kind", Text),
            ("status", Text),
            ("permit_number", Text),
            ("passport_hmac", Text),
            ("record_enc", Bytes),
            ("decision_due_on", Text),
            ("version", Int),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "materials",
        &[
            ("id", Text),
            ("application_id", Text),
            ("kind", Text),
            ("file_name_enc", Bytes),
            ("content_type", Text),
            ("size_bytes", Int),
            ("sha256", Text),
            ("data_enc", Bytes),
            ("created_at", Text),
        ],
    ),
    (
        "ss_accounts",
        &[
            ("id", Text),
            ("ssn_hmac", Text),
            ("permit_number", Text),
            ("employer_id", Text),
            ("region_code", Text),
            ("status", Text),
            ("record_enc", Bytes),
            ("version", Int),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "card_batches",
        &[
            ("id", Text),
            ("region_code", Text),
            ("card_count", Int),
            ("sha256", Text),
            ("file_enc", Bytes),
            ("created_by", Text),
            ("created_at", Text),
            ("result_imported_at", Text),
        ],
    ),
    (
        "cards",
        &[
            ("id", Text),
            ("card_number", Text),
            ("account_id", Text),
            ("permit_number", Text),
            ("employer_id", Text),
            ("region_code", Text),
            ("status", Text),
            ("promised_by", Text),
            ("batch_id", Text),
            ("bank_hmac", Text),
            ("status_index", Int),
            ("record_enc", Bytes),
            ("version", Int),
            ("applied_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "ecard_holders",
        &[
            ("id", Text),
            ("user_id", Text),
            ("permit_number", Text),
            ("status", Text),
            ("record", Text),
            ("created_at", Text),
            ("closed_at", Text),
        ],
    ),
    (
        "ecard_devices",
        &[
            ("id", Text),
            ("holder_id", Text),
            ("name", Text),
            ("public_key", Bytes),
            ("status_index", Int),
            ("credential_status", Text),
            ("created_at", Text),
            ("revoked_at", Text),
        ],
    ),
    (
        "ecard_notifications",
        &[
            ("id", Text),
            ("holder_id", Text),
            ("kind", Text),
            ("subject", Text),
            ("due_on", Text),
            ("payload", Text),
            ("created_at", Text),
            ("read_at", Text),
        ],
    ),
    (
        "ecard_deliveries",
        &[
            ("id", Text),
            ("notification_id", Text),
            ("status", Text),
            ("attempts", Int),
            ("next_attempt_at", Text),
            ("last_error", Text),
            ("created_at", Text),
            ("delivered_at", Text),
        ],
    ),
    (
        "services",
        &[
            ("code", Text),
            ("sector", Text),
            ("purpose", Text),
            ("name_zh", Text),
            ("name_en", Text),
            ("provider", Text),
            ("region_code", Text),
            ("active", Int),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "relying_parties",
        &[
            ("id", Text),
            ("name", Text),
            ("sector", Text),
            ("region_code", Text),
            ("purposes", Text),
            ("rate_limit_per_minute", Int),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "rp_credentials",
        &[
            ("id", Text),
            ("organisation_id", Text),
            ("secret_hash", Text),
            ("created_at", Text),
            ("revoked_at", Text),
        ],
    ),
    (
        "verification_log",
        &[
            ("id", Text),
            ("at", Text),
            ("permit_number", Text),
            ("organisation_id", Text),
            ("organisation_name", Text),
            ("verifier", Text),
            ("purpose", Text),
            ("credential_kind", Text),
            ("result", Text),
            ("reason", Text),
            ("offline", Int),
        ],
    ),
    // The pinned peer regions and their accepted lists (migration 20).
    (
        "federation_peers",
        &[
            ("id", Text),
            ("region_code", Text),
            ("name", Text),
            ("anchor", Text),
            ("url", Text),
            ("max_age_seconds", Int),
            ("trust_list", Text),
            ("trust_seq", Int),
            ("fetched_at", Text),
            ("last_error", Text),
            ("last_error_at", Text),
            ("created_at", Text),
        ],
    ),
    (
        "federation_status_lists",
        &[
            ("peer_id", Text),
            ("uri", Text),
            ("token", Text),
            ("iat", Int),
            ("fetched_at", Text),
        ],
    ),
    (
        "share_codes",
        &[
            ("code_hash", Text),
            ("holder_id", Text),
            ("permit_number", Text),
            ("purpose", Text),
            ("created_at", Text),
            ("expires_at", Text),
            ("used_at", Text),
            ("used_by", Text),
        ],
    ),
    (
        "service_uses",
        &[
            ("id", Text),
            ("at", Text),
            ("verification_id", Text),
            ("service_code", Text),
            ("organisation_id", Text),
            ("permit_number", Text),
            ("note", Text),
        ],
    ),
    (
        "relying_party_members",
        &[
            ("user_id", Text),
            ("organisation_id", Text),
            ("created_at", Text),
        ],
    ),
    (
        "gates",
        &[
            ("gate_id", Text),
            ("organisation_id", Text),
            ("name", Text),
            ("public_key", Text),
            ("created_at", Text),
            ("revoked_at", Text),
            ("last_upload_at", Text),
        ],
    ),
    (
        "outbox",
        &[
            ("seq", Int),
            ("id", Text),
            ("event_type", Text),
            ("subject_kind", Text),
            ("subject_id", Text),
            ("region_code", Text),
            ("payload", Text),
            ("occurred_at", Text),
        ],
    ),
    (
        "outbox_cursors",
        &[
            ("subscriber", Text),
            ("last_seq", Int),
            ("updated_at", Text),
        ],
    ),
    (
        "outbox_deliveries",
        &[
            ("subscriber", Text),
            ("event_id", Text),
            ("delivered_at", Text),
        ],
    ),
    (
        "webhook_subscriptions",
        &[
            ("id", Text),
            ("name", Text),
            ("url", Text),
            ("event_types", Text),
            ("organisation_id", Text),
            ("secret_enc", Bytes),
            ("active", Int),
            ("created_at", Text),
            ("updated_at", Text),
        ],
    ),
    (
        "webhook_deliveries",
        &[
            ("id", Text),
            ("subscription_id", Text),
            ("event_id", Text),
            ("event_type", Text),
            ("status", Text),
            ("attempts", Int),
            ("next_attempt_at", Text),
            ("last_error", Text),
            ("created_at", Text),
            ("delivered_at", Text),
        ],
    ),
    (
        "audit_events",
        &[
            ("seq", Int),
            ("at", Text),
            ("actor", Text),
            ("action", Text),
            ("entity_type", Text),
            ("entity_id", Text),
            ("details", Text),
            ("prev_hash", Text),
            ("hash", Text),
        ],
    ),
];

fn cell(row: &AnyRow, name: &str, col: Col) -> Result<Value, StoreError> {
    Ok(match col {
        Text => row
            .try_get::<Option<String>, _>(name)?
            .map_or(Value::Null, Value::String),
        Int => row
            .try_get::<Option<i64>, _>(name)?
            .map_or(Value::Null, Value::from),
        Bytes => row
            .try_get::<Option<Vec<u8>>, _>(name)?
            .map_or(Value::Null, |b| Value::String(hex(&b))),
    })
}

fn unhex(s: &str) -> Result<Vec<u8>, StoreError> {
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| StoreError::other("bad hex in export"))
        })
        .collect()
}

/// 2: material file names sealed (`file_name_enc`); 3: the card side's
/// tables (accounts, cards, batches, outbox); 4: the e-card's holders,
/// devices and notifications (registrations in progress are short-lived and
/// not carried), the service catalogue, relying parties and their API
/// credentials (secrets as hashes), the verification log; the agency webhook
/// subscriptions (secrets sealed) and their deliveries. Versions 1 to 3 are still read.
const VERSION: i64 = 4;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct TransferReport {
    pub rows: usize,
}

impl SqlStore {
    /// Write every durable row as a JSON line `{"table": ..., "row": {...}}`.
    pub async fn export(&self, out: &mut impl IoWrite) -> Result<TransferReport, StoreError> {
        let mut report = TransferReport::default();
        writeln!(out, "{}", json!({ "zhengka_export": VERSION })).map_err(StoreError::other)?;
        // One snapshot for every table, so an export of a live database (a
        // backup while instances serve) is consistent: no row that points at
        // a row written after its table was read. SQLite's WAL gives a read
        // transaction its snapshot; PostgreSQL needs REPEATABLE READ for it.
        let mut tx = self.reader.begin().await?;
        if self.backend == crate::Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        for (table, cols) in TABLES {
            let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
            let sql = format!("SELECT {} FROM {table} ORDER BY 1", names.join(", "));
            for row in sqlx::query(&sql).fetch_all(&mut *tx).await? {
                let mut obj = Map::new();
                for (name, col) in cols.iter() {
                    obj.insert((*name).to_owned(), cell(&row, name, *col)?);
                }
                writeln!(out, "{}", json!({ "table": table, "row": obj }))
                    .map_err(StoreError::other)?;
                report.rows += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Load an export into this database, which must be empty (no users), in
    /// one transaction: all of it or nothing.
    pub async fn import(&self, input: impl BufRead) -> Result<TransferReport, StoreError> {
        let users: i64 = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?;
        if users > 0 {
            return Err(StoreError::conflict("import target is not empty"));
        }
        let mut tx = self.writer.begin().await?;
        let mut report = TransferReport::default();
        let mut last = (0i64, "0".repeat(64));
        let mut version = 0;
        for (i, line) in input.lines().enumerate() {
            let line = line.map_err(StoreError::other)?;
            let mut v: Value = serde_json::from_str(&line)?;
            if i == 0 {
                version = v["zhengka_export"].as_i64().unwrap_or(0);
                if !(1..=VERSION).contains(&version) {
                    return Err(StoreError::other("not a zhengka export (version 1 to 3)"));
                }
                continue;
            }
            if version == 1 {
                self.upgrade_v1(&mut v)?;
            }
            let table = v["table"].as_str().unwrap_or_default();
            let (_, cols) = TABLES
                .iter()
                .find(|(t, _)| *t == table)
                .ok_or_else(|| StoreError::other(format!("unknown table {table}")))?;
            insert(&mut tx, table, cols, &v["row"]).await?;
            if table == "audit_events" {
                last = (
                    v["row"]["seq"].as_i64().unwrap_or(0),
                    v["row"]["hash"].as_str().unwrap_or_default().to_owned(),
                );
            }
            report.rows += 1;
        }
        // The search and follow-up columns are derived from the sealed records
        // (migration 10), so they are not exported but filled again here.
        crate::permits::search::fill_columns(&mut tx, &self.vault).await?;
        sqlx::query("UPDATE audit_head SET seq = $1, last_hash = $2 WHERE id = 1")
            .bind(last.0)
            .bind(&last.1)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(report)
    }
}

impl SqlStore {
    /// A version 1 line as version 2 has it: a material's clear file name sealed.
    fn upgrade_v1(&self, line: &mut Value) -> Result<(), StoreError> {
        if line["table"] != "materials" {
            return Ok(());
        }
        let row = &mut line["row"];
        let (Some(id), Some(name)) = (row["id"].as_str(), row["file_name"].as_str()) else {
            return Err(StoreError::other(
                "a version 1 material needs id and file_name",
            ));
        };
        let sealed = self.vault.seal(
            &crate::permits::materials::name_context(id),
            name.as_bytes(),
        )?;
        row["file_name_enc"] = Value::String(hex(&sealed));
        Ok(())
    }
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, Any>,
    table: &str,
    cols: &[(&str, Col)],
    row: &Value,
) -> Result<(), StoreError> {
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for (name, col) in cols {
        let v = &row[*name];
        q = match col {
            Text => q.bind(v.as_str().map(str::to_owned)),
            Int => q.bind(v.as_i64()),
            Bytes => q.bind(v.as_str().map(unhex).transpose()?),
        };
    }
    q.execute(&mut **tx).await?;
    Ok(())
}
