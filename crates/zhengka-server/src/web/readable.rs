//! Values as people read them: times in the deployment's zone with the zone
//! shown (stored times stay UTC), whole minutes; countries and divisions by
//! name; a short reference where a record's id must be quoted.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use zhengka_domain::ids::{Nationality, RegionCode};

use super::i18n::Lang;
use super::visitor::Visitor;

/// `2026-12-03 19:05 UTC+08:00`: local time and the offset it is in.
pub fn at_in(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M UTC%:z")
        .to_string()
}

/// The day `t` falls on in the zone.
pub fn day_in(tz: Tz, t: DateTime<Utc>) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// "德国（DEU）" / "Germany (DEU)"; an unknown code as it is.
pub fn nationality_in(lang: Lang, code: &str) -> String {
    match Nationality::parse(code) {
        Ok(n) if lang == Lang::ZhCn => format!("{}（{}）", n.name_zh(), n.as_str()),
        Ok(n) => format!("{} ({})", n.name(), n.as_str()),
        Err(_) => code.to_owned(),
    }
}

/// "广东省 广州市 天河区（440106）": the division under its province and city.
pub fn region_in(lang: Lang, code: &str) -> String {
    let Ok(r) = RegionCode::parse(code) else {
        return code.to_owned();
    };
    let mut names: Vec<&str> = vec![];
    for up in [
        format!("{}0000", r.province()),
        format!("{}00", r.city_prefix()),
    ] {
        if let Ok(parent) = RegionCode::parse(&up)
            && parent != r
            && !names.contains(&parent.name())
        {
            names.push(parent.name());
        }
    }
    names.push(r.name());
    match lang {
        Lang::ZhCn => format!("{}（{}）", names.join(" "), r.as_str()),
        Lang::En => format!("{} ({})", names.join(" "), r.as_str()),
    }
}

/// The first eight characters of an id, upper case: enough to tell two
/// records apart when a person must quote one, without a UUID on the page.
pub fn short_ref(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(8)
        .collect::<String>()
        .to_ascii_uppercase()
}

impl Visitor {
    pub fn at(&self, t: DateTime<Utc>) -> String {
        at_in(self.config.time_zone, t)
    }

    pub fn day(&self, t: DateTime<Utc>) -> String {
        day_in(self.config.time_zone, t)
    }

    /// A stored RFC 3339 timestamp (the audit trail's) in the zone.
    pub fn at_text(&self, stored: &str) -> String {
        DateTime::parse_from_rfc3339(stored)
            .map_or_else(|_| stored.to_owned(), |t| self.at(t.to_utc()))
    }

    pub fn nationality(&self, code: &str) -> String {
        nationality_in(self.lang, code)
    }

    pub fn region(&self, code: &str) -> String {
        region_in(self.lang, code)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_local_with_their_zone_and_no_seconds() {
        let t = Utc.with_ymd_and_hms(2026, 12, 3, 16, 30, 59).unwrap();
        let shanghai = crate::authority::DEFAULT_TIME_ZONE;
        assert_eq!(at_in(shanghai, t), "2026-12-04 00:30 UTC+08:00");
        assert_eq!(
            day_in(shanghai, t),
            "2026-12-04",
            "already tomorrow in Beijing"
        );
        assert_eq!(at_in(chrono_tz::UTC, t), "2026-12-03 16:30 UTC+00:00");
    }

    #[test]
    fn codes_read_as_names() {
        assert_eq!(nationality_in(Lang::ZhCn, "DEU"), "德国（DEU）");
        assert_eq!(nationality_in(Lang::En, "DEU"), "Germany (DEU)");
        assert_eq!(
            region_in(Lang::ZhCn, "440106"),
            "广东省 广州市 天河区（440106）"
        );
        assert_eq!(region_in(Lang::En, "440000"), "广东省 (440000)");
        assert_eq!(
            region_in(Lang::En, "110105"),
            "北京市 市辖区 朝阳区 (110105)"
        );
        assert_eq!(region_in(Lang::En, "999999"), "999999");
        assert_eq!(
            short_ref("1521ca1f-0000-4000-8000-000000000000"),
            "1521CA1F"
        );
    }
}
