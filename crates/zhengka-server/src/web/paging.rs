//! What every list page shows around its rows: "1–50 of 124" and the way to
//! the next page. A list searched by a person's name or number is posted, and
//! so is its next page: personal numbers stay out of addresses and logs.

use minijinja::{Value, context};
use serde::{Deserialize, Serialize};

use crate::api::permits::applications::list::Listed;
use crate::web::visitor::Visitor;

/// Rows per page on the pages.
pub const PAGE: i64 = 50;

/// The pager's values: `first`..`last` of `total`, and the next cursor.
pub fn pager<T: Serialize>(l: &Listed<T>) -> Value {
    let shown = l.items.len() as i64;
    context! {
        first => if shown == 0 { 0 } else { l.first() },
        last => l.first() + shown - 1,
        total => l.total,
        next => l.next_cursor.clone(),
    }
}

/// The filters of a list's address (never a search text: that is posted).
/// Unknown parameters (`done=` of a success message) are ignored.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Filters {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cursor: Option<String>,
}

/// A filter's choices for the `select` macro: "all" first, then each value
/// with its catalogue text `{prefix}{value}`.
pub fn options(
    v: &Visitor,
    prefix: &str,
    values: &[&str],
    extra: &[(&str, &str)],
) -> Vec<[String; 2]> {
    let mut all = vec![[String::new(), v.text("list.all")]];
    all.extend(
        extra
            .iter()
            .map(|(value, key)| [(*value).to_owned(), v.text(key)]),
    );
    all.extend(
        values
            .iter()
            .map(|s| [(*s).to_owned(), v.text(&format!("{prefix}{s}"))]),
    );
    all
}
