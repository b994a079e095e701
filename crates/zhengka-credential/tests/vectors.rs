//! Test vectors in testdata/credential/: `vectors.json` (trust list, status list,
//! QR strings, expected verdicts) and `TEST-KEYS-ONLY.json` (the private keys
//! that made them). `ZK_WRITE_VECTORS=1 cargo test --test vectors` rewrites both.
mod common;

use std::collections::BTreeMap;

use common::{DAY, NOW, REGION, STATUS_URI, issuer_key};
use serde_json::{Value, json};
use zhengka_credential::*;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/credential");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn read(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()).unwrap()
}

fn purpose(name: &str) -> Purpose {
    match name {
        "notice" => Purpose::Notice,
        "card_install" => Purpose::CardInstall,
        _ => Purpose::Presentation,
    }
}

#[test]
fn committed_vectors_give_their_verdicts() {
    if std::env::var("ZK_WRITE_VECTORS").is_ok() {
        write_vectors();
    }
    let doc = read("vectors.json");
    let anchor_pub = unhex(doc["trust_anchor"]["pub"].as_str().unwrap());
    let anchor = PublicKey::from_bytes(Algorithm::Es256, &anchor_pub).unwrap();
    let now = doc["now"].as_i64().unwrap();
    let trust =
        TrustList::from_signed(&unhex(doc["trust_list"].as_str().unwrap()), &anchor, now).unwrap();
    let status =
        StatusList::from_token(&unhex(doc["status_list"].as_str().unwrap()), &trust).unwrap();
    for v in doc["vectors"].as_array().unwrap() {
        let at = v["now"].as_i64().unwrap();
        let list = v["use_status_list"].as_bool().unwrap().then_some(&status);
        let verdict = verify(
            v["qr"].as_str().unwrap(),
            &trust,
            list,
            at,
            purpose(v["purpose"].as_str().unwrap()),
        );
        let got = verdict
            .as_ref()
            .map(|_| "valid")
            .unwrap_or_else(Rejection::code);
        assert_eq!(got, v["expected"].as_str().unwrap(), "vector {}", v["name"]);
        if let (Ok(ok), Some(expected)) = (&verdict, v.get("claims")) {
            assert_eq!(
                claims_json(&ok.claims),
                *expected,
                "claims of {}",
                v["name"]
            );
        }
    }
}

/// The claims as the vectors list them (the same JSON the Python check builds).
fn claims_json(claims: &Claims) -> Value {
    let facts = match &claims.body {
        Body::Notice { facts, .. } | Body::Card { facts, .. } => facts,
        Body::Presentation { .. } => unreachable!("verified claims are the issued credential's"),
    };
    let mut m = BTreeMap::new();
    m.insert("iss", json!(claims.iss));
    m.insert("iat", json!(claims.iat));
    m.insert("exp", json!(claims.exp));
    m.insert("kind", json!(claims.body.kind() as i64));
    m.insert("permit_number", json!(facts.permit_number));
    m.insert("holder_name", json!(facts.holder_name));
    m.insert("employer_uscc", json!(facts.employer_uscc));
    m.insert("status_idx", json!(claims.status.as_ref().map(|s| s.idx)));
    json!(m)
}

struct Keys {
    named: Vec<(&'static str, SigningKey)>,
}

impl Keys {
    fn load_or_make() -> Self {
        let names = [
            ("trust-anchor-es256", Algorithm::Es256),
            ("issuer-es256", Algorithm::Es256),
            ("issuer-sm2", Algorithm::Sm2Sm3),
            ("issuer-eddsa", Algorithm::EdDsa),
            ("issuer-es256-retired", Algorithm::Es256),
            ("status-es256", Algorithm::Es256),
            ("device-es256", Algorithm::Es256),
        ];
        let existing = std::fs::read_to_string(format!("{DIR}/TEST-KEYS-ONLY.json")).ok();
        let existing: Option<Value> = existing.map(|s| serde_json::from_str(&s).unwrap());
        let named = names
            .into_iter()
            .map(|(name, alg)| {
                let der = existing
                    .as_ref()
                    .and_then(|e| e["keys"][name]["pkcs8"].as_str())
                    .map(unhex);
                let key = match der {
                    Some(der) => SigningKey::from_pkcs8(alg, &Pkcs8::from_der(der)).unwrap(),
                    None => SigningKey::generate(alg).unwrap(),
                };
                (name, key)
            })
            .collect();
        Keys { named }
    }

    fn get(&self, name: &str) -> &SigningKey {
        &self.named.iter().find(|(n, _)| *n == name).unwrap().1
    }

    fn issuer(&self, name: &str) -> Issuer {
        let alg = self.get(name).alg();
        Issuer::new(
            SigningKey::from_pkcs8(alg, self.get(name).to_pkcs8()).unwrap(),
            REGION,
        )
    }
}

fn write_vectors() {
    let keys = Keys::load_or_make();
    let purposes = vec![KeyPurpose::Notice, KeyPurpose::Card];
    let mut trust_keys: Vec<IssuerKey> = ["issuer-es256", "issuer-sm2", "issuer-eddsa"]
        .iter()
        .map(|n| issuer_key(keys.get(n).public_key(), purposes.clone()))
        .collect();
    let mut retired = issuer_key(keys.get("issuer-es256-retired").public_key(), purposes);
    retired.valid_to = NOW - 10 * DAY;
    trust_keys.push(retired);
    trust_keys.push(issuer_key(
        keys.get("status-es256").public_key(),
        vec![KeyPurpose::StatusList],
    ));
    let trust = TrustList {
        iss: "zhengka-test-vectors".into(),
        seq: 1,
        iat: NOW - DAY,
        exp: NOW + 3650 * DAY,
        keys: trust_keys,
    };
    let mut bits = StatusBits::new(status::MIN_ENTRIES);
    bits.set(1001, Status::Revoked);
    bits.set(1002, Status::Suspended);
    let status = StatusList {
        uri: STATUS_URI.into(),
        iat: NOW - 600,
        exp: NOW + 3650 * DAY,
        ttl: 3650 * DAY,
        bits,
    };
    let vectors = super_vectors::build(&keys, &trust);
    let doc = json!({
        "note": "TEST VECTORS. The keys in TEST-KEYS-ONLY.json are public test keys: never use them for anything else.",
        "now": NOW,
        "trust_anchor": {"alg": -7, "pub": hex(keys.get("trust-anchor-es256").public_key().as_bytes())},
        "trust_list": hex(&trust.sign(keys.get("trust-anchor-es256"))),
        "status_list": hex(&status.sign(keys.get("status-es256"))),
        "vectors": vectors,
    });
    let key_doc: BTreeMap<_, _> = keys
        .named
        .iter()
        .map(|(n, k)| (*n, json!({"alg": k.alg().cose_value(), "pkcs8": hex(k.to_pkcs8().as_der()), "pub": hex(k.public_key().as_bytes()), "kid": hex(&k.public_key().kid().0)})))
        .collect();
    let key_doc =
        json!({"note": "TEST KEYS ONLY. Published on purpose; never trust them.", "keys": key_doc});
    std::fs::create_dir_all(DIR).unwrap();
    std::fs::write(
        format!("{DIR}/vectors.json"),
        serde_json::to_string_pretty(&doc).unwrap() + "\n",
    )
    .unwrap();
    std::fs::write(
        format!("{DIR}/TEST-KEYS-ONLY.json"),
        serde_json::to_string_pretty(&key_doc).unwrap() + "\n",
    )
    .unwrap();
}

#[path = "vectors/build.rs"]
mod super_vectors;
