//! Languages: Simplified Chinese and English. Every string a person reads comes
//! from a catalogue in `i18n/`, chosen from the `zk_lang` cookie (set by the
//! switch) or `Accept-Language`.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::ACCEPT_LANGUAGE;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    ZhCn,
    En,
}

pub const LANG_COOKIE: &str = "zk_lang";

type Catalogue = BTreeMap<String, String>;

static ZH_CN: LazyLock<Catalogue> = LazyLock::new(|| load(include_str!("../../i18n/zh-CN.json")));
static EN: LazyLock<Catalogue> = LazyLock::new(|| load(include_str!("../../i18n/en.json")));

fn load(json: &str) -> Catalogue {
    serde_json::from_str(json).expect("the catalogues are valid JSON objects of strings")
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::ZhCn, Lang::En];

    /// The BCP 47 tag, as used in `lang=""`, the cookie and the switch URL.
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn parse(tag: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(tag))
    }

    pub(crate) fn catalogue(self) -> &'static Catalogue {
        match self {
            Self::ZhCn => &ZH_CN,
            Self::En => &EN,
        }
    }

    /// The cookie wins; then the first language range we serve, by quality.
    pub fn choose(headers: &HeaderMap) -> Self {
        if let Some(lang) = super::session::cookie(headers, LANG_COOKIE).and_then(Self::parse) {
            return lang;
        }
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(from_accept_language)
            .unwrap_or(Self::ZhCn)
    }

    /// The language a re-posted form asks for (`?zk_lang=en`): switching
    /// language on a page of errors posts the typed form again, so nothing
    /// typed is lost.
    pub fn from_query(query: Option<&str>) -> Option<Self> {
        query?
            .split('&')
            .find_map(|pair| pair.strip_prefix("zk_lang="))
            .and_then(Self::parse)
    }

    pub fn get(self, key: &str) -> Option<&'static str> {
        self.catalogue().get(key).map(String::as_str)
    }

    /// The text for `key`; a missing key is a bug the catalogue test catches,
    /// so at run time it shows the key rather than failing the page.
    pub fn text(self, key: &str) -> String {
        match self.get(key) {
            Some(s) => s.to_owned(),
            None => {
                tracing::warn!(key, lang = self.tag(), "missing catalogue key");
                key.to_owned()
            }
        }
    }
}

fn from_accept_language(header: &str) -> Option<Lang> {
    let mut ranges: Vec<(f32, Lang)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let range = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse().ok())
                .unwrap_or(1.0);
            let lang = if range.starts_with("zh") {
                Lang::ZhCn
            } else if range.starts_with("en") {
                Lang::En
            } else {
                return None;
            };
            Some((q, lang))
        })
        .filter(|(q, _)| *q > 0.0)
        .collect();
    // Stable: among equal weights the header's order stands.
    ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranges.first().map(|(_, l)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_served_range() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            from_accept_language("fr, zh-CN;q=0.8, en;q=0.5"),
            Some(Lang::ZhCn)
        );
        assert_eq!(from_accept_language("de;q=1, en;q=0"), None);
        assert_eq!(from_accept_language("zh-TW, en;q=0.9"), Some(Lang::ZhCn));
    }

    #[test]
    fn a_reposted_form_names_its_language_in_the_query() {
        assert_eq!(Lang::from_query(Some("a=1&zk_lang=en")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("zk_lang=fr")), None);
        assert_eq!(Lang::from_query(None), None);
    }
}
