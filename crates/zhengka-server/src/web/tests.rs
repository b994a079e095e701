//! The catalogues are complete in both languages, and every key a template
//! names exists. Keys built in a template (`t("status." ~ s)`) are checked
//! for every value the domain can give.

use std::collections::BTreeSet;

use zhengka_domain::cards::CardStatus;
use zhengka_domain::employer::Role;
use zhengka_domain::permits::application::{ApplicationKind, ApplicationStatus};
use zhengka_domain::social_security::InsuranceKind;

use super::i18n::Lang;
use super::render::TEMPLATES;

/// Key prefixes that templates complete at run time, with every completion.
fn dynamic(prefix: &str) -> Option<Vec<String>> {
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    Some(match prefix {
        "status." => ApplicationStatus::ALL
            .iter()
            .map(|s| s.as_str().into())
            .collect(),
        "kind." => ApplicationKind::ALL
            .iter()
            .map(|k| k.as_str().into())
            .collect(),
        "role." => Role::ALL.iter().map(|r| r.as_str().into()).collect(),
        "queue." => super::permits::officer::QUEUES
            .iter()
            .map(|s| s.as_str().into())
            .collect(),
        "material." => strs(&super::permits::materials::MATERIAL_KINDS),
        "verify.purpose." => strs(&["notice", "presentation"]),
        "purpose." => strs(&["notice", "card", "status_list"]),
        "key_state." => strs(&["signing", "valid", "retired"]),
        "step." => strs(&["accept", "preliminary_review", "approve"]),
        "outcome." => strs(&["pass", "return", "reject"]),
        "outcome.cancellation." => strs(&["pass", "return", "reject"]),
        "follow_up.record_" => strs(&["awaiting_entry", "due"]),
        "decision.confirm_" => strs(&["approval", "cancellation"]),
        "action." => strs(&["created", "updated", "submitted", "decided", "cut_over"]),
        "onsite." => strs(&["not_required", "awaiting_entry", "due", "done"]),
        "permit_status." => strs(&["valid", "suspended", "expired", "cancelled", "revoked"]),
        "done." => strs(super::flash::DONE),
        "dashboard.count." => strs(&["returned_for_update", "draft"]),
        "account.state_" => strs(&["on", "off", "pending"]),
        "card_status." => CardStatus::ALL.iter().map(|s| s.as_str().into()).collect(),
        "insurance." => InsuranceKind::ALL
            .iter()
            .map(|k| k.as_str().into())
            .collect(),
        "insurance_status." => strs(&["active", "ended"]),
        "account_status." => strs(&["open", "ended"]),
        "end_reason." => strs(&["permit_cancelled", "permit_revoked", "permit_expired"]),
        "exclusion." => strs(&["over_age"]),
        "handover." => strs(&["delivery", "service_hall"]),
        "ecard.register.kind_" => strs(&super::ecard::KINDS),
        "ecard.rp." => strs(&super::ecard::OUTCOMES),
        "ecard.rp_advice." => strs(&super::ecard::OUTCOMES),
        "sex." => strs(&["female", "male", "unspecified"]),
        // Every event a card's history may show.
        "event." => strs(&[
            "batched",
            "produced",
            "shipped",
            "delivered",
            "issued_at_window",
            "lost",
            "frozen",
            "unfrozen",
            "replaced",
        ]),
        "basis." => strs(&[
            "points",
            "recognised_talent",
            "salary_multiple",
            "degree_and_experience",
            "default",
        ]),
        "share.state." => strs(&["used", "expired", "open"]),
        _ => return None,
    })
}

/// Every `t("...")` / `t('...')` in a template: (literal, is it followed by `~`).
fn keys_in(source: &str) -> Vec<(String, bool)> {
    let mut found = vec![];
    let mut rest = source;
    while let Some(i) = rest.find("t(") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 2..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `select(`, `get_attr(`...
        }
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            panic!(
                "t( without a literal key near: {}",
                &rest[..rest.len().min(40)]
            );
        };
        let end = rest[1..].find(quote).expect("closed string") + 1;
        let key = rest[1..end].to_owned();
        let after = rest[end + 1..].trim_start();
        found.push((key, after.starts_with('~')));
        rest = &rest[end + 1..];
    }
    found
}

#[test]
fn both_catalogues_have_the_same_keys_and_no_empty_text() {
    let zh: BTreeSet<_> = Lang::ZhCn.catalogue().keys().collect();
    let en: BTreeSet<_> = Lang::En.catalogue().keys().collect();
    let only_zh: Vec<_> = zh.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&zh).collect();
    assert!(only_zh.is_empty(), "missing in en.json: {only_zh:?}");
    assert!(only_en.is_empty(), "missing in zh-CN.json: {only_en:?}");
    for lang in Lang::ALL {
        for (k, v) in lang.catalogue() {
            assert!(!v.trim().is_empty(), "{} {k} is empty", lang.tag());
        }
    }
}

#[test]
fn every_key_a_template_uses_exists() {
    let mut missing = vec![];
    for (name, source) in TEMPLATES {
        for (key, built) in keys_in(source) {
            let keys = if built {
                let rest = dynamic(&key).unwrap_or_else(|| panic!("{name}: unknown prefix {key}"));
                rest.into_iter().map(|r| format!("{key}{r}")).collect()
            } else {
                vec![key]
            };
            for key in keys {
                if Lang::En.get(&key).is_none() || Lang::ZhCn.get(&key).is_none() {
                    missing.push(format!("{name}: {key}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "unknown keys: {missing:#?}");
}

#[test]
fn keys_used_from_rust_exist() {
    let rust = [
        include_str!("render.rs"),
        include_str!("session.rs"),
        include_str!("permits/detail.rs"),
        include_str!("permits/preview.rs"),
        include_str!("permits/employer.rs"),
        include_str!("permits/materials.rs"),
        include_str!("permits/cut_over.rs"),
    ];
    for source in rust {
        for part in source.split('"').skip(1).step_by(2) {
            let looks_like_key = ["error.", "history.", "preview."]
                .iter()
                .any(|p| part.starts_with(p) && part.len() > p.len())
                && !part.contains(' ');
            if looks_like_key && !part.ends_with('.') && !part.ends_with(".html") {
                assert!(Lang::En.get(part).is_some(), "en: {part}");
                assert!(Lang::ZhCn.get(part).is_some(), "zh-CN: {part}");
            }
        }
    }
}

#[test]
fn the_key_scanner_sees_literals_and_built_keys() {
    let found =
        keys_in(r#"{{ t("a.b") }} {{ t('c', n=1) }} {{ t("status." ~ s) }} {{ select(x) }}"#);
    assert_eq!(
        found,
        vec![
            ("a.b".to_owned(), false),
            ("c".to_owned(), false),
            ("status.".to_owned(), true)
        ]
    );
}

/// `-x.y` does not parse as the negation of `x.y` in minijinja: an overdue
/// countdown must render (written `0 - x.y`).
#[test]
fn overdue_countdowns_render() {
    let row = minijinja::context! {
        id => "a", holder => "A", kind => "new_from_abroad", status => "submitted",
        due => "2026-01-31", days_left => -10, urgent => true,
        permit_number => "X", valid_from => "2026-01-01", due_on => "2026-01-31", overdue => true,
        promised_by => "2026-01-31", in_hand => false, handover => "delivery", number => "ZK1",
    };
    for name in ["queue.html", "ss_due.html", "card_queue.html"] {
        let status = if name == "card_queue.html" {
            "applied"
        } else {
            "submitted"
        };
        let row = minijinja::context! { status => status, ..row.clone() };
        let ctx = minijinja::context! {
            lang => "en", rows => vec![row], current => "submitted",
            csrf => "x", path => "/web/",
        };
        let html = super::render::render(name, ctx).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(html.0.contains("10 "), "{name}");
    }
}
