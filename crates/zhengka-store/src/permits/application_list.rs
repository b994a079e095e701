//! The applications list: filters, search by keyed hash, keyset paging in
//! either order, and the count a page shows ("1–50 of 124").

use chrono::Days;

use super::query::Sql;
use super::search::Keys;
use crate::audit::timestamp;
use crate::{ApplicationFilter, ApplicationOrder, Page, SqlStore, StoreError};
use zhengka_domain::permits::application::Application;

const COLUMNS: &str = "id, record_enc, created_at";
/// Applications not yet submitted have no due date; they sort last.
const DUE_KEY: &str = "COALESCE(decision_due_on, '9999-12-31')";

impl SqlStore {
    fn application_conditions(&self, f: &ApplicationFilter) -> Sql {
        let mut sql = Sql::default();
        if let Some(e) = &f.employer_id {
            let a = sql.arg(Some(e.clone()));
            sql.and(format!("employer_id = {a}"));
        }
        if let Some(r) = &f.region_prefix {
            let a = sql.arg(Some(format!("{r}%")));
            sql.and(format!("region_code LIKE {a}"));
        }
        if let Some(k) = f.kind {
            let a = sql.arg(Some(k.as_str().to_owned()));
            sql.and(format!("kind = {a}"));
        }
        if !f.statuses.is_empty() {
            let marks: Vec<String> = f
                .statuses
                .iter()
                .map(|s| sql.arg(Some(s.as_str().to_owned())))
                .collect();
            sql.and(format!("status IN ({})", marks.join(", ")));
        }
        if let Some(text) = &f.search {
            let keys = Keys::of(&self.vault, text);
            sql.and(keys.clause(sql.next_placeholder()));
            sql.extend_binds(keys.binds());
        }
        if let Some(from) = f.created_from {
            let a = sql.arg(Some(from.to_string()));
            sql.and(format!("created_at >= {a}"));
        }
        // Timestamps are RFC 3339 text, so "before the next day" is the last
        // day inclusive.
        if let Some(next) = f.created_to.and_then(|d| d.checked_add_days(Days::new(1))) {
            let a = sql.arg(Some(next.to_string()));
            sql.and(format!("created_at < {a}"));
        }
        if let Some((key, id)) = &f.after {
            let (k, i) = (sql.arg(Some(key.clone())), sql.arg(Some(id.clone())));
            sql.and(match f.order {
                ApplicationOrder::Newest => {
                    format!("(created_at < {k} OR (created_at = {k} AND id < {i}))")
                }
                ApplicationOrder::DueFirst => {
                    format!("({DUE_KEY} > {k} OR ({DUE_KEY} = {k} AND id > {i}))")
                }
            });
        }
        sql
    }

    pub(crate) async fn application_list(
        &self,
        f: &ApplicationFilter,
    ) -> Result<Page<Application>, StoreError> {
        let order = match f.order {
            ApplicationOrder::Newest => "created_at DESC, id DESC".to_owned(),
            ApplicationOrder::DueFirst => format!("{DUE_KEY} ASC, id ASC"),
        };
        let rows = self
            .application_conditions(f)
            .rows(
                &self.reader,
                &format!("SELECT {COLUMNS} FROM applications"),
                &order,
                f.limit + 1,
            )
            .await?;
        let mut items = rows
            .iter()
            .map(|r| self.open_application(r))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() as i64 > f.limit {
            items.truncate(f.limit as usize);
            items.last().map(|a| (cursor_key(a, f.order), a.id.clone()))
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    pub(crate) async fn application_count(&self, f: &ApplicationFilter) -> Result<i64, StoreError> {
        self.application_conditions(f)
            .count(&self.reader, "applications")
            .await
    }
}

fn cursor_key(a: &Application, order: ApplicationOrder) -> String {
    match order {
        ApplicationOrder::Newest => timestamp(a.created_at),
        ApplicationOrder::DueFirst => a
            .decision_due_on
            .map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string()),
    }
}
