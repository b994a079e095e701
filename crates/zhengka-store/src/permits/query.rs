//! A list query built clause by clause: placeholders are numbered as values
//! are added, every value is bound, never spliced into the SQL.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyPool};

use crate::StoreError;

#[derive(Default)]
pub(crate) struct Sql {
    conditions: Vec<String>,
    binds: Vec<Option<String>>,
}

impl Sql {
    /// The placeholder for `value` (bound as text, or NULL).
    pub(crate) fn arg(&mut self, value: Option<String>) -> String {
        self.binds.push(value);
        format!("${}", self.binds.len())
    }

    pub(crate) fn and(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    pub(crate) fn next_placeholder(&self) -> usize {
        self.binds.len()
    }

    pub(crate) fn extend_binds(&mut self, values: impl IntoIterator<Item = Option<String>>) {
        self.binds.extend(values);
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    fn bound<'q>(&'q self, sql: &'q str) -> Query<'q, Any, AnyArguments<'q>> {
        self.binds
            .iter()
            .fold(sqlx::query(sql), |q, v| q.bind(v.as_deref()))
    }

    /// `SELECT columns FROM table WHERE ... ORDER BY order LIMIT limit`.
    pub(crate) async fn rows(
        &self,
        pool: &AnyPool,
        select: &str,
        order: &str,
        limit: i64,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let sql = format!(
            "{select}{} ORDER BY {order} LIMIT ${}",
            self.where_clause(),
            self.binds.len() + 1
        );
        Ok(self.bound(&sql).bind(limit).fetch_all(pool).await?)
    }

    /// How many rows of `table` match.
    pub(crate) async fn count(&self, pool: &AnyPool, table: &str) -> Result<i64, StoreError> {
        use sqlx::Row;
        let sql = format!("SELECT COUNT(*) AS n FROM {table}{}", self.where_clause());
        let row = self.bound(&sql).fetch_one(pool).await?;
        Ok(row.try_get("n")?)
    }
}
