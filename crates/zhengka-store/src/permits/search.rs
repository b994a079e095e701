//! Finding people without a clear column: names and passport numbers live only
//! inside sealed records, so lists match them by keyed hash (HMAC with the
//! store key). A name matches exactly after the passport-name normalisation
//! (NFKC, upper case, single spaces); partial names cannot be searched, by
//! design: a prefix index would leak the name's structure.

use sqlx::{Any, Row, Transaction};
use zhengka_domain::ids::PassportName;
use zhengka_domain::permits::application::{Application, PassportNumber};
use zhengka_domain::permits::permit::{OnsiteCheck, Permit, PermitNumber};

use crate::{StoreError, Vault};

/// The keyed hashes and the permit number one typed search text may be.
pub(crate) struct Keys {
    pub passport: Option<String>,
    pub name: Option<String>,
    pub permit_number: Option<String>,
}

impl Keys {
    pub(crate) fn of(vault: &Vault, text: &str) -> Self {
        Self {
            passport: PassportNumber::parse(text)
                .ok()
                .map(|p| vault.index("passport", p.expose())),
            name: PassportName::parse(text)
                .ok()
                .map(|n| name_index(vault, &n)),
            permit_number: PermitNumber::parse(text)
                .ok()
                .map(|p| p.as_str().to_owned()),
        }
    }

    /// `(passport_hmac = $a OR name_hmac = $b OR permit_number = $c)` with
    /// placeholders from `n + 1`; a part the text cannot be is bound NULL and
    /// matches nothing.
    pub(crate) fn clause(&self, n: usize) -> String {
        format!(
            "(passport_hmac = ${} OR name_hmac = ${} OR permit_number = ${})",
            n + 1,
            n + 2,
            n + 3
        )
    }

    pub(crate) fn binds(&self) -> [Option<String>; 3] {
        [
            self.passport.clone(),
            self.name.clone(),
            self.permit_number.clone(),
        ]
    }
}

pub(crate) fn name_index(vault: &Vault, name: &PassportName) -> String {
    vault.index("name", name.as_str())
}

pub(crate) fn application_name_index(vault: &Vault, a: &Application) -> Option<String> {
    a.form
        .foreigner
        .as_ref()
        .map(|f| name_index(vault, &f.name))
}

/// The on-site check as two columns: its state and, once the holder entered,
/// the deadline; the follow-up queue reads them.
pub(crate) fn onsite_columns(p: &Permit) -> (&'static str, Option<String>) {
    match &p.onsite {
        OnsiteCheck::NotRequired => ("not_required", None),
        OnsiteCheck::AwaitingEntry => ("awaiting_entry", None),
        OnsiteCheck::Due { due_by, .. } => ("due", Some(due_by.to_string())),
        OnsiteCheck::Done { .. } => ("done", None),
    }
}

/// Migration 10's data step: fill the new columns of the rows already stored.
pub(crate) async fn fill_columns(
    tx: &mut Transaction<'_, Any>,
    vault: &Vault,
) -> Result<(), StoreError> {
    let rows = sqlx::query("SELECT id, record_enc FROM applications")
        .fetch_all(&mut **tx)
        .await?;
    for row in rows {
        let id: String = row.try_get("id")?;
        let sealed: Vec<u8> = row.try_get("record_enc")?;
        let a: Application =
            serde_json::from_slice(&vault.open(&format!("applications:{id}"), &sealed)?)?;
        sqlx::query("UPDATE applications SET name_hmac = $1 WHERE id = $2")
            .bind(application_name_index(vault, &a))
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    let rows = sqlx::query("SELECT permit_number, record_enc FROM permits")
        .fetch_all(&mut **tx)
        .await?;
    for row in rows {
        let number: String = row.try_get("permit_number")?;
        let sealed: Vec<u8> = row.try_get("record_enc")?;
        let p: Permit =
            serde_json::from_slice(&vault.open(&format!("permits:{number}"), &sealed)?)?;
        let (state, due) = onsite_columns(&p);
        sqlx::query(
            "UPDATE permits SET name_hmac = $1, onsite_state = $2, onsite_due_on = $3 \
             WHERE permit_number = $4",
        )
        .bind(name_index(vault, &p.holder_name))
        .bind(state)
        .bind(due)
        .bind(&number)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
