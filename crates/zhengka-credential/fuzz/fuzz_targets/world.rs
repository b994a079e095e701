//! The fixed world every fuzz target verifies against: the trust anchor, trust
//! list and status list of the published test vectors (testdata/credential).

use std::sync::LazyLock;
use zhengka_credential::{Algorithm, PublicKey, StatusList, TrustList};

#[allow(dead_code, reason = "each target uses a different part")]
pub struct World {
    pub now: i64,
    pub anchor: PublicKey,
    pub trust: TrustList,
    pub status: StatusList,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex in the vectors"))
        .collect()
}

pub static WORLD: LazyLock<World> = LazyLock::new(|| {
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../../../../testdata/credential/vectors.json"))
            .expect("vectors.json");
    let now = v["now"].as_i64().expect("now");
    let anchor = PublicKey::from_bytes(
        Algorithm::from_cose_value(v["trust_anchor"]["alg"].as_i64().expect("alg")).expect("alg"),
        &hex(v["trust_anchor"]["pub"].as_str().expect("pub")),
    )
    .expect("anchor key");
    let trust =
        TrustList::from_signed(&hex(v["trust_list"].as_str().expect("trust")), &anchor, now)
            .expect("trust list");
    let status = StatusList::from_token(&hex(v["status_list"].as_str().expect("status")), &trust)
        .expect("status list");
    World {
        now,
        anchor,
        trust,
        status,
    }
});
