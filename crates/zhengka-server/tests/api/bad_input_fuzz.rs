//! Fuzz-ish: seeded random mutations of a valid application, each POSTed. The
//! answer is 201 (the mutation stayed valid), 400 or 422, never anything else,
//! and exactly the 201s are stored. Set `ZHENGKA_FUZZ_SEED` to replay a run.

use serde_json::{Value, json};
use zhengka_store::prelude::*;

use crate::bad_input::{APPS, post_json_text};
use crate::helpers::*;

const MUTATIONS: usize = 200;

/// SplitMix64: small, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Debug, Clone)]
enum Key {
    Field(String),
    Index(usize),
}

/// Every path to a value inside `v` (not the root itself).
fn paths(v: &Value, prefix: &mut Vec<Key>, out: &mut Vec<Vec<Key>>) {
    let children: Vec<(Key, &Value)> = match v {
        Value::Object(m) => m.iter().map(|(k, c)| (Key::Field(k.clone()), c)).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, c)| (Key::Index(i), c))
            .collect(),
        _ => vec![],
    };
    for (key, child) in children {
        prefix.push(key);
        out.push(prefix.clone());
        paths(child, prefix, out);
        prefix.pop();
    }
}

fn at<'a>(root: &'a mut Value, path: &[Key]) -> &'a mut Value {
    path.iter().fold(root, |node, key| match key {
        Key::Field(k) => &mut node[k.as_str()],
        Key::Index(i) => &mut node[*i],
    })
}

fn random_string(rng: &mut Rng) -> String {
    const POOL: [&str; 16] = [
        "a", "Z", "7", "-", " ", "\"", "\\", "\u{0}", "\u{7f}", "é", "中", "\u{202e}", "😀",
        "2026-", "\n", "{",
    ];
    (0..rng.below(24)).map(|_| *rng.pick(&POOL)).collect()
}

fn junk(rng: &mut Rng) -> Value {
    match rng.below(12) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(0),
        3 => json!(-1),
        4 => json!(1.5),
        5 => json!(u64::MAX),
        6 => json!([]),
        7 => json!({}),
        8 => json!("2026-02-30"),
        9 => json!("x".repeat(5000)),
        10 => json!([1, "two", null]),
        _ => json!(random_string(rng)),
    }
}

/// One mutation of `form`: the body to send and what was done.
fn mutate(rng: &mut Rng, form: &Value) -> (String, String) {
    let mut v = form.clone();
    let mut all = vec![];
    paths(&v, &mut vec![], &mut all);
    let path = rng.pick(&all).clone();
    let (parent, last) = path.split_at(path.len() - 1);
    match rng.below(6) {
        0 => {
            let what = format!("delete {path:?}");
            match (&last[0], at(&mut v, parent)) {
                (Key::Field(k), Value::Object(m)) => drop(m.remove(k)),
                (Key::Index(i), Value::Array(a)) => drop(a.remove(*i)),
                _ => unreachable!(),
            }
            (v.to_string(), what)
        }
        1 => {
            let value = junk(rng);
            let shown: String = value.to_string().chars().take(40).collect();
            let what = format!("{path:?} = {shown}");
            *at(&mut v, &path) = value;
            (v.to_string(), what)
        }
        2 => {
            let value = random_string(rng);
            let what = format!("{path:?} = {value:?}");
            *at(&mut v, &path) = json!(value);
            (v.to_string(), what)
        }
        3 => {
            let name = format!("x_{}", random_string(rng));
            let target = at(&mut v, parent);
            let what = format!("add {name:?} at {parent:?}");
            if let Value::Object(m) = target {
                m.insert(name, junk(rng));
            } else {
                v["unexpected"] = json!(1);
            }
            (v.to_string(), what)
        }
        4 => {
            let text = v.to_string();
            let cut = rng.below(text.len());
            let cut = (0..=cut).rev().find(|&i| text.is_char_boundary(i)).unwrap();
            (text[..cut].to_owned(), format!("truncate at {cut}"))
        }
        _ => {
            let mut bytes = v.to_string().into_bytes();
            let i = rng.below(bytes.len());
            let b = *rng.pick(b"{}[]\",:0a \\");
            bytes[i] = b;
            let what = format!("byte {i} = {:?}", char::from(b));
            (String::from_utf8_lossy(&bytes).into_owned(), what)
        }
    }
}

#[tokio::test]
async fn random_mutations_never_500() {
    let seed = std::env::var("ZHENGKA_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_2024_u64);
    eprintln!("ZHENGKA_FUZZ_SEED={seed}");
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let mut form = new_from_abroad("E40000001");
        form["materials"] = json!([{ "kind": "passport_copy", "file_name": "passport.pdf" },
                                   { "kind": "photo", "file_name": "photo.jpg" }]);
        form["foreigner"]["chinese_name"] = json!("德德里希斯");
        let audit_before = app.audit_count().await;
        let mut rng = Rng(seed);
        let mut tally = std::collections::BTreeMap::new();
        for n in 0..MUTATIONS {
            let (body, what) = mutate(&mut rng, &form);
            let r = post_json_text(&app, APPS, &agent, &body).await;
            let (code, _) = r.error();
            let label = format!("[{}] #{n} {what}: {} {:?}", app.backend, r.status, r.body);
            match r.status {
                201 => assert_eq!(r.body["status"], "draft", "{label}"),
                400 => assert_eq!(code, "malformed_json", "{label}"),
                422 => assert!(
                    !code.is_empty() && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{label}"
                ),
                _ => panic!("unexpected status: {label}"),
            }
            if what.starts_with("truncate") {
                assert_eq!(r.status, 400, "{label}");
            }
            *tally.entry(r.status).or_insert(0_usize) += 1;
        }
        eprintln!("[{}] statuses: {tally:?}", app.backend);
        let created = tally.get(&201).copied().unwrap_or(0);
        let stored_apps = app
            .store
            .list_applications(&zhengka_store::ApplicationFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap()
            .items
            .len();
        assert_eq!(stored_apps, created, "[{}]", app.backend);
        assert_eq!(app.audit_count().await, audit_before + created);
        let listed = app.get("/api/v1/applications?limit=100", &agent).await;
        let listed = listed.body["items"].as_array().unwrap().len();
        assert_eq!(listed, created.min(100));
    })
    .await;
}
