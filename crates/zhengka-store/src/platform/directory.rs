//! The admin's lists of employers and users: searched, paged by their key,
//! with the count. Employers and user names are not personal data of the
//! foreigners, so they are searched in clear (case-insensitive substring);
//! a USCC is matched exactly.

use zhengka_domain::employer::{Employer, User};
use zhengka_domain::ids::Uscc;

use crate::permits::query::Sql;
use crate::{SqlStore, StoreError};

#[derive(Debug, Clone, Default)]
pub struct EmployerFilter {
    /// A USCC (exact) or a part of the name.
    pub search: Option<String>,
    /// Keyset cursor: the id of the last employer seen.
    pub after: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<String>,
    /// A part of the user name.
    pub search: Option<String>,
    /// Keyset cursor: the last user name seen.
    pub after: Option<String>,
    pub limit: i64,
}

/// A page and where it stands: `total` match, `remaining` of them from the
/// cursor on (the page's first row is number `total - remaining + 1`).
#[derive(Debug, Clone)]
pub struct Counted<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub remaining: i64,
}

/// `%text%` for LIKE, with LIKE's own characters escaped.
fn contains(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn employer_conditions(f: &EmployerFilter, with_cursor: bool) -> Sql {
    let mut sql = Sql::default();
    if let Some(text) = f.search.as_deref().map(str::trim) {
        match Uscc::parse(text) {
            Ok(uscc) => {
                let a = sql.arg(Some(uscc.as_str().to_owned()));
                sql.and(format!("uscc = {a}"));
            }
            Err(_) => {
                let a = sql.arg(Some(contains(text)));
                sql.and(format!("LOWER(name) LIKE {a} ESCAPE '\\'"));
            }
        }
    }
    if let Some(after) = f.after.clone().filter(|_| with_cursor) {
        let a = sql.arg(Some(after));
        sql.and(format!("id > {a}"));
    }
    sql
}

fn user_conditions(f: &UserFilter, with_cursor: bool) -> Sql {
    let mut sql = Sql::default();
    if let Some(role) = &f.role {
        let a = sql.arg(Some(role.clone()));
        sql.and(format!("users.role = {a}"));
    }
    if let Some(text) = f.search.as_deref().map(str::trim) {
        let a = sql.arg(Some(contains(text)));
        sql.and(format!("LOWER(users.username) LIKE {a} ESCAPE '\\'"));
    }
    if let Some(after) = f.after.clone().filter(|_| with_cursor) {
        let a = sql.arg(Some(after));
        sql.and(format!("users.username > {a}"));
    }
    sql
}

impl SqlStore {
    /// A page of employers and how many match in all.
    pub(crate) async fn employer_find(
        &self,
        f: &EmployerFilter,
    ) -> Result<Counted<Employer>, StoreError> {
        let select = format!("SELECT {} FROM employers", super::employers::COLUMNS);
        let rows = employer_conditions(f, true)
            .rows(&self.reader, &select, "id", f.limit)
            .await?;
        let items = rows
            .iter()
            .map(super::employers::from_row)
            .collect::<Result<_, _>>()?;
        let total = employer_conditions(f, false)
            .count(&self.reader, "employers")
            .await?;
        let remaining = employer_conditions(f, true)
            .count(&self.reader, "employers")
            .await?;
        Ok(Counted {
            items,
            total,
            remaining,
        })
    }

    /// A page of users and how many match in all.
    pub(crate) async fn user_find(&self, f: &UserFilter) -> Result<Counted<User>, StoreError> {
        let select = format!("SELECT {} FROM users", super::users::USER_COLUMNS);
        let rows = user_conditions(f, true)
            .rows(&self.reader, &select, "users.username", f.limit)
            .await?;
        let items = rows
            .iter()
            .map(super::users::user_from_row)
            .collect::<Result<_, _>>()?;
        let total = user_conditions(f, false)
            .count(&self.reader, "users")
            .await?;
        let remaining = user_conditions(f, true)
            .count(&self.reader, "users")
            .await?;
        Ok(Counted {
            items,
            total,
            remaining,
        })
    }
}
