//! The deployment's own words on every page and document: the issuing
//! authority's name (in both languages) and the time zone people read
//! dates and times in.

/// The zone people read times in, unless a deployment names another: every
/// office of the mainland keeps Beijing time.
pub const DEFAULT_TIME_ZONE: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// An IANA time zone name (`Asia/Shanghai`), for `--time-zone`.
pub fn parse_time_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.parse::<chrono_tz::Tz>()
        .map_err(|_| format!("{name:?} is not an IANA time zone name such as Asia/Shanghai"))
}

/// The authority that issues the permits, as pages and Notices name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub name_zh: String,
    pub name_en: String,
}

impl Default for Authority {
    /// A neutral name: a deployment names its own office (`--authority-name`).
    fn default() -> Self {
        Self {
            name_zh: "外国人来华工作许可发证机关".into(),
            name_en: "Foreigners' Work Permit Issuing Authority".into(),
        }
    }
}

impl Authority {
    /// The name in a page language (`zh-CN` or `en`).
    pub fn name(&self, lang_tag: &str) -> &str {
        if lang_tag.starts_with("zh") {
            &self.name_zh
        } else {
            &self.name_en
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(parse_time_zone("Asia/Shanghai"), Ok(DEFAULT_TIME_ZONE));
        assert!(parse_time_zone("Asia/Urumqi").is_ok());
        assert!(parse_time_zone("Beijing").is_err());
    }
}
