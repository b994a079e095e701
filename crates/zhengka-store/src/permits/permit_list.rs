//! The permits list: by permit number, or the follow-up queue of on-site
//! checks still to be done, nearest deadline first (a holder not yet entered
//! has no deadline and comes after those who have).

use super::query::Sql;
use super::search::{Keys, onsite_columns};
use crate::{Page, PermitFilter, SqlStore, StoreError};
use zhengka_domain::permits::permit::Permit;

const COLUMNS: &str = "permit_number, record_enc";
const DUE_KEY: &str = "COALESCE(onsite_due_on, '9999-12-31')";
const NO_DEADLINE: &str = "9999-12-31";

impl SqlStore {
    fn permit_conditions(&self, f: &PermitFilter) -> Sql {
        let mut sql = Sql::default();
        if let Some(e) = &f.employer_id {
            let a = sql.arg(Some(e.clone()));
            sql.and(format!("employer_id = {a}"));
        }
        if let Some(r) = &f.region_prefix {
            let a = sql.arg(Some(format!("{r}%")));
            sql.and(format!("region_code LIKE {a}"));
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
        if f.follow_up {
            sql.and("onsite_state IN ('awaiting_entry', 'due')".to_owned());
        }
        if let Some((key, number)) = &f.after {
            let (k, n) = (sql.arg(Some(key.clone())), sql.arg(Some(number.clone())));
            sql.and(if f.follow_up {
                format!("({DUE_KEY} > {k} OR ({DUE_KEY} = {k} AND permit_number > {n}))")
            } else {
                format!("permit_number > {n}")
            });
        }
        sql
    }

    pub(crate) async fn permit_find(&self, f: &PermitFilter) -> Result<Page<Permit>, StoreError> {
        let order = if f.follow_up {
            format!("{DUE_KEY} ASC, permit_number ASC")
        } else {
            "permit_number ASC".to_owned()
        };
        let rows = self
            .permit_conditions(f)
            .rows(
                &self.reader,
                &format!("SELECT {COLUMNS} FROM permits"),
                &order,
                f.limit + 1,
            )
            .await?;
        let mut items = rows
            .iter()
            .map(|r| self.open_permit(r))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() as i64 > f.limit {
            items.truncate(f.limit as usize);
            items.last().map(|p| {
                let due = onsite_columns(p)
                    .1
                    .unwrap_or_else(|| NO_DEADLINE.to_owned());
                (due, p.permit_number.as_str().to_owned())
            })
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    pub(crate) async fn permit_count(&self, f: &PermitFilter) -> Result<i64, StoreError> {
        self.permit_conditions(f)
            .count(&self.reader, "permits")
            .await
    }
}
