//! Pickers for coded values: the nationality list with names in the page's
//! language, and the divisions for the province → city → district picker.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use zhengka_domain::ids::{Nationality, RegionCode};

use super::i18n::Lang;

/// `[code, "Name (CODE)"]` for every nationality, by English name (the
/// order of the Latin spelling in passports) so both languages list alike.
/// China is left out: a Chinese national needs no foreigner's permit.
pub fn nationality_options(lang: Lang) -> Vec<[String; 2]> {
    let mut all: Vec<Nationality> = Nationality::all().filter(|n| !n.is_china()).collect();
    all.sort_by_key(|n| n.name());
    let choose = [String::new(), lang.text("form.choose")];
    let named = all.into_iter().map(|n| {
        let name = match lang {
            Lang::ZhCn => format!("{}（{}）", n.name_zh(), n.as_str()),
            Lang::En => format!("{} ({})", n.name(), n.as_str()),
        };
        [n.as_str().to_owned(), name]
    });
    std::iter::once(choose).chain(named).collect()
}

/// `GET /web/regions.json`: `[[code, name], ...]` of every division, for the
/// region picker (app.js); the code field works without it.
pub async fn regions() -> Response {
    let rows: Vec<[&str; 2]> = RegionCode::all().map(|r| [r.as_str(), r.name()]).collect();
    let body = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".to_owned());
    (
        [
            (CONTENT_TYPE, "application/json; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nationalities_are_named_in_the_page_language() {
        let zh = nationality_options(Lang::ZhCn);
        let en = nationality_options(Lang::En);
        assert_eq!(zh.len(), 249, "248 and the empty choice");
        assert!(zh.contains(&["DEU".to_owned(), "德国（DEU）".to_owned()]));
        assert!(en.contains(&["DEU".to_owned(), "Germany (DEU)".to_owned()]));
        assert!(!en.iter().any(|[code, _]| code == "CHN"));
        assert_eq!(en[0][0], "", "nothing chosen first");
    }
}
