//! The real-person provider client against a fake provider speaking protocol
//! v1: pass, fail, low score, timeout, 5xx, garbage, another request's answer,
//! a wrong token — and what the client sends.

use std::time::Duration;

use serde_json::{Value, json};
use zhengka_domain::ecard::Verdict;
use zhengka_server::providers::outgoing::OutgoingTls;
use zhengka_server::providers::real_person::{CheckRequest, RealPersonProvider};

use crate::fake_provider::{TOKEN, start as fake_provider};

async fn check(provider: &RealPersonProvider, probe: &[u8]) -> Verdict {
    let req = CheckRequest {
        request_id: "req-1",
        name: "ANNO BERNHARD DEDERICHS",
        permit_number: "4401000000000000042",
        reference_photo: None,
        probe_image: probe,
        captured_at: chrono::Utc::now(),
    };
    provider.check(&req).await.verdict
}

/// The platform's roots only (as `serve` without `--tls-ca-file`).
fn tls() -> OutgoingTls {
    OutgoingTls::default()
}

#[tokio::test]
async fn the_provider_decides_and_anything_unusable_is_unavailable() {
    let (url, seen) = fake_provider().await;
    let p = RealPersonProvider::http(&url, TOKEN, 0.8, Duration::from_millis(500), &tls()).unwrap();
    assert_eq!(check(&p, b"pass").await, Verdict::Pass { score: 0.97 });
    assert_eq!(check(&p, b"spoof").await, Verdict::Fail { score: 0.97 });
    assert_eq!(check(&p, b"stranger").await, Verdict::Fail { score: 0.12 });
    assert_eq!(check(&p, b"blurry").await, Verdict::Fail { score: 0.55 });
    for probe in [&b"slow"[..], b"crash", b"garbage", b"another"] {
        let v = check(&p, probe).await;
        assert!(
            matches!(v, Verdict::Unavailable(_)),
            "{:?}: {v:?}",
            String::from_utf8_lossy(probe)
        );
    }
    let wrong = RealPersonProvider::http(
        &url,
        "not-the-token",
        0.8,
        Duration::from_millis(500),
        &tls(),
    )
    .unwrap();
    assert!(matches!(
        check(&wrong, b"pass").await,
        Verdict::Unavailable(_)
    ));
    let down = RealPersonProvider::http(
        "http://127.0.0.1:9",
        TOKEN,
        0.8,
        Duration::from_millis(500),
        &tls(),
    )
    .unwrap();
    assert!(matches!(
        check(&down, b"pass").await,
        Verdict::Unavailable(_)
    ));
    // What the protocol says the client sends.
    let first = seen.lock().unwrap()[0].clone();
    assert_eq!(first["request_id"], "req-1");
    assert_eq!(
        first["subject"],
        json!({ "name": "ANNO BERNHARD DEDERICHS", "permit_number": "4401000000000000042" })
    );
    assert_eq!(first["reference_photo"], Value::Null);
    assert_eq!(first["probe_image"], "cGFzcw==");
    assert!(chrono::DateTime::parse_from_rfc3339(first["captured_at"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn a_provider_is_configured_or_refused() {
    let http = |url: &str, token: &str, threshold: f64| {
        RealPersonProvider::http(url, token, threshold, Duration::from_secs(1), &tls())
    };
    assert!(http("ftp://x", TOKEN, 0.8).is_err());
    assert!(http("http://x", "", 0.8).is_err());
    assert!(http("http://x", TOKEN, 1.5).is_err());
    assert!(http("https://liveness.example", TOKEN, 0.8).is_ok());
    let p = http("http://x/", TOKEN, 0.8).unwrap();
    assert!(!format!("{p:?}").contains(TOKEN), "the token never prints");
    assert!(RealPersonProvider::Demo.is_demo());
    assert_eq!(
        check(&RealPersonProvider::Demo, b"anything").await,
        Verdict::Pass { score: 1.0 }
    );
}
