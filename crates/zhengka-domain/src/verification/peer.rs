//! Region federation: the other deployments (regions) whose credentials this
//! one accepts. A peer is pinned by its trust anchor; its trust list and
//! status lists are fetched from its URL (or imported offline) and kept only
//! when they verify under that anchor and name keys of its region alone.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::InvalidValue;
use crate::ids::RegionCode;

/// Shortest and longest maximum age of a peer's lists, in seconds: a minute
/// to a day (a status list is valid offline for a day).
pub const MAX_AGE_RANGE: std::ops::RangeInclusive<i64> = 60..=86_400;
/// The maximum age of a peer imported without a URL, unless given.
pub const DEFAULT_MAX_AGE: i64 = 86_400;

/// A pinned peer region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Peer {
    pub id: String,
    pub region_code: RegionCode,
    pub name: String,
    /// The peer's trust anchor as `ALG:hex`.
    pub anchor: String,
    /// Where its lists are fetched (`{url}/api/v1/trust-list`, ...); none for
    /// an offline import.
    pub url: Option<String>,
    /// The oldest of its status lists a verification accepts, in seconds after
    /// the list's `iat`; its lists are fetched every half of it.
    pub max_age_seconds: i64,
    pub created_at: DateTime<Utc>,
}

/// What the admin posts to pin a peer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerInput {
    pub region_code: String,
    pub name: String,
    pub anchor: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub max_age_seconds: Option<i64>,
}

/// The peer `input` describes, or the field that is wrong. `own` is this
/// deployment's issuer region: a deployment does not pin itself.
pub fn check_peer(
    input: &PeerInput,
    own: &str,
    id: String,
    now: DateTime<Utc>,
) -> Result<Peer, (&'static str, InvalidValue)> {
    let region_code = RegionCode::parse(&input.region_code).map_err(|e| ("region_code", e))?;
    if region_code.as_str() == own {
        return Err((
            "region_code",
            InvalidValue::new("own_region", "this deployment's own region is not a peer"),
        ));
    }
    let name = input.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 150 {
        return Err((
            "name",
            InvalidValue::new("invalid_peer_name", "1 to 150 characters"),
        ));
    }
    let url = input.url.as_deref().map(check_url).transpose()?;
    let max_age_seconds = input.max_age_seconds.unwrap_or(DEFAULT_MAX_AGE);
    if !MAX_AGE_RANGE.contains(&max_age_seconds) {
        return Err((
            "max_age_seconds",
            InvalidValue::new("out_of_range", "60 to 86,400 seconds"),
        ));
    }
    Ok(Peer {
        id,
        region_code,
        name,
        anchor: input.anchor.trim().to_owned(),
        url,
        max_age_seconds,
        created_at: now,
    })
}

/// An `http(s)://host[:port][/path]` base URL without query, fragment or
/// credentials, and without a trailing slash.
fn check_url(url: &str) -> Result<String, (&'static str, InvalidValue)> {
    let bad = || {
        (
            "url",
            InvalidValue::new("invalid_url", "an http:// or https:// base URL"),
        )
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or("");
    let clean = |c: char| c.is_ascii_alphanumeric() || "-._~/:%[]".contains(c);
    if host.is_empty() || url.len() > 500 || !rest.chars().all(clean) {
        return Err(bad());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(region: &str, url: Option<&str>, max_age: Option<i64>) -> PeerInput {
        PeerInput {
            region_code: region.into(),
            name: " Guangdong  ".into(),
            anchor: "ES256:00".into(),
            url: url.map(str::to_owned),
            max_age_seconds: max_age,
        }
    }

    fn field(i: PeerInput) -> &'static str {
        check_peer(&i, "310000", "p".into(), Utc::now())
            .unwrap_err()
            .0
    }

    #[test]
    fn a_peer_is_another_region_with_a_base_url_and_a_bounded_age() {
        let p = check_peer(
            &input("440000", Some("https://gd.example/"), Some(600)),
            "310000",
            "p".into(),
            Utc::now(),
        )
        .unwrap();
        assert_eq!(
            (p.name.as_str(), p.url.as_deref()),
            ("Guangdong", Some("https://gd.example"))
        );
        assert_eq!(field(input("310000", None, None)), "region_code");
        assert_eq!(field(input("999999", None, None)), "region_code");
        assert_eq!(field(input("440000", Some("ftp://x"), None)), "url");
        assert_eq!(field(input("440000", Some("https://u:p@x?q"), None)), "url");
        assert_eq!(field(input("440000", None, Some(59))), "max_age_seconds");
        assert_eq!(
            field(input("440000", None, Some(86_401))),
            "max_age_seconds"
        );
    }
}
