//! `next`: the page someone asked for before they had to sign in (or switch
//! language), to go back to afterwards. Only our own pages are accepted, so
//! a crafted link cannot send a person elsewhere after they sign in.

/// `next` if it is a page of this site: `/web/...`, no scheme, no host, no
/// `//` or `\` a browser might read as another origin.
pub fn safe(next: &str) -> Option<&str> {
    let own = next.starts_with("/web/")
        && !next.contains("//")
        && !next.contains('\\')
        && !next.bytes().any(|b| b.is_ascii_control());
    own.then_some(next)
}

/// The sign-in page, remembering `path` as where to go afterwards.
pub fn sign_in_for(path: &str) -> String {
    match safe(path).filter(|p| *p != "/web/" && !p.starts_with("/web/sign-in")) {
        Some(p) => format!("/web/sign-in?next={}", encode(p)),
        None => "/web/sign-in".to_owned(),
    }
}

/// Percent-encoding of a query value (RFC 3986 unreserved kept, `/` too).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_own_pages_are_next() {
        assert_eq!(safe("/web/applications/1"), Some("/web/applications/1"));
        assert_eq!(
            safe("/web/queue?step=accepted"),
            Some("/web/queue?step=accepted")
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/web/",
            "/web//evil.example",
            "/web/\\evil",
            "/api/v1/users/me",
            "/web/x\r\nLocation: /",
            "",
        ] {
            assert_eq!(safe(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_sign_in_page_remembers_the_page_asked_for() {
        assert_eq!(
            sign_in_for("/web/queue?step=accepted&x=1"),
            "/web/sign-in?next=/web/queue%3Fstep%3Daccepted%26x%3D1"
        );
        assert_eq!(sign_in_for("/web/"), "/web/sign-in");
        assert_eq!(sign_in_for("/web/sign-in?next=/web/x"), "/web/sign-in");
        assert_eq!(sign_in_for("//evil"), "/web/sign-in");
    }
}
