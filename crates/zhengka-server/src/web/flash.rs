//! Success messages after an action: the action redirects with `?done=key`
//! and the next page shows the catalogue's `done.{key}`. Only the keys listed
//! here are shown, so a crafted link cannot put words on a page.

/// Every success message a page may show.
pub const DONE: &[&str] = &[
    "user_disabled",
    "user_enabled",
    "user_unlocked",
    "user_role_changed",
    "password_changed",
    "totp_on",
    "totp_off",
    "created",
    "saved",
    "submitted",
    "accepted",
    "reviewed",
    "approved",
    "returned",
    "rejected",
    "entry_recorded",
    "onsite_recorded",
    "uploaded",
    "employer_created",
    "user_created",
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
    "device_revoked",
    "account_closed",
    "relying_party_registered",
    "credential_revoked",
    "member_added",
    "peer_pinned",
    "peer_refreshed",
    "peer_removed",
];

/// The message key named by `done=` in the query of `path`, if it is one.
pub fn from_path(path: &str) -> Option<&'static str> {
    let query = path.split_once('?')?.1;
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    let asked = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("done="))?;
    DONE.iter().copied().find(|k| *k == asked)
}

/// `path` with `done=key` added to its query (if `key` is a listed message),
/// before any `#fragment`.
pub fn done(path: &str, key: &str) -> String {
    if !DONE.contains(&key) {
        return path.to_owned();
    }
    let (path, fragment) = path
        .split_once('#')
        .map_or((path, None), |(p, f)| (p, Some(f)));
    let sep = if path.contains('?') { '&' } else { '?' };
    match fragment {
        Some(f) => format!("{path}{sep}done={key}#{f}"),
        None => format!("{path}{sep}done={key}"),
    }
}

/// `path` without its `done=` message, so going back to the page later (after
/// a sign-in) does not announce an old success again.
pub fn without(path: &str) -> String {
    let Some((base, query)) = path.split_once('?') else {
        return path.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("done="))
        .collect();
    if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
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
        assert_eq!(
            done("/web/applications/1#permit", "entry_recorded"),
            "/web/applications/1?done=entry_recorded#permit"
        );
    }

    #[test]
    fn the_message_is_left_out_of_the_page_to_go_back_to() {
        assert_eq!(without("/web/cards/1?done=shipped"), "/web/cards/1");
        assert_eq!(
            without("/web/cards?status=applied&done=applied&x=1"),
            "/web/cards?status=applied&x=1"
        );
        assert_eq!(
            without("/web/queue?step=submitted"),
            "/web/queue?step=submitted"
        );
        assert_eq!(without("/web/cards"), "/web/cards");
    }
}
