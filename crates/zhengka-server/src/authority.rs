//! The deployment's own words on every page and document: the issuing
//! authority's name (in both languages) and the time zone people read
//! dates and times in.

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
