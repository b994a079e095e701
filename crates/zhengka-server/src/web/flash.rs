//! Success messages after an action: the action redirects with `?done=key`
//! and the next page shows the catalogue's `done.{key}`. Only the keys listed
//! here are shown, so a crafted link cannot put words on a page.

/// Every success message a page may show.
pub const DONE: [&str; 13] = [
    "enrolled",
    "applied",
    "issued_at_window",
    "batch_created",
    "result_imported",
    "produced",
    "shipped",
    "delivered",
    "lost",
    "frozen",
    "unfrozen",
    "replaced",
    "account_closed",
];

/// The message key named by `done=` in the query of `path`, if it is one.
pub fn from_path(path: &str) -> Option<&'static str> {
    let query = path.split_once('?')?.1;
    let asked = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("done="))?;
    DONE.into_iter().find(|k| *k == asked)
}

/// `path` with `done=key` added to its query (if `key` is a listed message).
pub fn done(path: &str, key: &str) -> String {
    if !DONE.contains(&key) {
        return path.to_owned();
    }
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}done={key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_listed_keys_are_shown() {
        assert_eq!(from_path("/web/cards/1?done=shipped"), Some("shipped"));
        assert_eq!(
            from_path("/web/cards?status=applied&done=applied"),
            Some("applied")
        );
        assert_eq!(from_path("/web/cards?done=anything"), None);
        assert_eq!(from_path("/web/cards"), None);
        assert_eq!(done("/web/cards/1", "lost"), "/web/cards/1?done=lost");
        assert_eq!(done("/web/x?a=1", "lost"), "/web/x?a=1&done=lost");
        assert_eq!(done("/web/x", "batched"), "/web/x");
    }
}
