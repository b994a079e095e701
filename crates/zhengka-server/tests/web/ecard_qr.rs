//! The e-card's live QR in headless Chromium at phone size: the holder signs
//! in, the page makes its device key in WebCrypto and binds it, and the QR it
//! draws verifies offline with the `zhengka verify` binary against the trust
//! list and status list 3 downloaded from the server; the same QR 31 s later
//! is stale; after a loss report the device's next QR is suspended and the
//! page shows the state instead of a QR; the devices page revokes.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::browser::{self, Browser, text};
use crate::server::{CARD, SS, Server};

/// The `zhengka` binary of this build: beside the test binary's `deps/`
/// (`cargo nextest run --workspace` builds it with the tests).
pub(crate) fn zhengka_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?.parent()?.join("zhengka");
    bin.exists().then_some(bin)
}

/// What a relying party downloads: the trust list, status list 3 and the
/// trust anchor's key (`ALG:hex`), written to `dir`.
pub(crate) async fn download(s: &Server, dir: &Path) {
    let get = |path: &str| reqwest::get(s.url(path));
    let trust = get("/api/v1/trust-list")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(dir.join("trust-list.cose"), trust).unwrap();
    let list = get("/api/v1/status-lists/3")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(dir.join("status-list-3.cose"), list).unwrap();
    let hex: String = s
        .anchor
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(dir.join("trust-anchor.pub"), format!("ES256:{hex}")).unwrap();
}

/// `zhengka verify --purpose presentation QR`, as of `at`: (success, output).
pub(crate) fn verify(bin: &Path, dir: &Path, qr: &str, at: Option<i64>) -> (bool, String) {
    let mut cmd = Command::new(bin);
    cmd.args(["verify", "--purpose", "presentation"])
        .arg("--trust-list")
        .arg(dir.join("trust-list.cose"))
        .arg("--trust-anchor")
        .arg(dir.join("trust-anchor.pub"))
        .arg("--status-list")
        .arg(dir.join("status-list-3.cose"));
    if let Some(at) = at {
        cmd.args(["--at", &at.to_string()]);
    }
    let out = cmd.arg(qr).output().expect("zhengka verify runs");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    (out.status.success(), text)
}

/// The QR the page shows now (`data-qr`) and when it was signed, once it
/// differs from `old`.
pub(crate) async fn next_qr(b: &Browser, old: &str) -> (String, i64) {
    let deadline = Instant::now() + Duration::from_secs(25);
    let read = "const e = document.getElementById('qr-code');\
        return e && e.dataset.qr ? [e.dataset.qr, e.dataset.iat] : null;";
    loop {
        if let Ok(Value::Array(v)) = b.client.execute(read, vec![]).await {
            let qr = v[0].as_str().unwrap_or_default().to_owned();
            if qr != old {
                let iat = v[1].as_str().unwrap().parse().unwrap();
                return (qr, iat);
            }
        }
        let state = b.attr("#qr-state", "data-state").await;
        assert!(
            Instant::now() < deadline,
            "no new QR (state {state}: {})",
            b.text("#qr-state").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn wait_state(b: &Browser, want: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let state = b.attr("#qr-state", "data-state").await;
        if state == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "state {state}, not {want}: {}",
            b.text("#qr-state").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// An approved permit whose holder has a card issued at the window and an
/// e-card account: (permit number, card number).
pub(crate) async fn holder_with_card(s: &Server) -> (String, String) {
    let approved = s
        .approved_for("EQ7654321", "LENA FISCHER", "1990-02-03")
        .await;
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    let permit = s
        .api_get(&format!("/api/v1/permits/{number}"), crate::server::AGENT)
        .await;
    let enrol = json!({ "permit_number": number, "name": "LENA FISCHER", "start_date": permit["valid_from"] });
    let account = s
        .api_as("/api/v1/social-security/enrolments", SS, enrol)
        .await;
    let body = json!({ "ssn": account["ssn"], "bank_code": "BOC", "pickup": "service_hall" });
    let card = s.api_as("/api/v1/cards", CARD, body).await;
    let card = card["card_number"].as_str().unwrap().to_owned();
    let issued = json!({ "type": "issued_at_window", "chip_serial": "CHIPQR000001",
                         "bank_account": "5555555555554444" });
    s.api_as(&format!("/api/v1/cards/{card}/events"), CARD, issued)
        .await;
    s.register_holder(&number, "Lena Fischer").await;
    (number, card)
}

#[tokio::test]
async fn the_phone_shows_a_live_qr_that_verifies_offline_until_the_card_is_lost() {
    let Some(b) = browser::start().await else {
        return;
    };
    let Some(bin) = zhengka_binary() else {
        let why = "the zhengka binary is not built (cargo build -p zhengka)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    };
    let s = Server::spawn().await;
    s.cast().await;
    let (number, card) = holder_with_card(&s).await;
    let permit = s
        .api_get(&format!("/api/v1/permits/{number}"), crate::server::AGENT)
        .await;
    let valid_to = permit["valid_to"].as_str().unwrap().to_owned();

    b.resize(390, 844).await;
    b.sign_in(&s.base, &number).await;
    b.goto(&s.url("/web/ecard/qr")).await;
    let (qr, iat) = next_qr(&b, "").await;
    assert!(qr.starts_with("ZK1:"), "{qr:.40}");
    assert_eq!(b.text("#qr-state").await, text("en", "ecard_qr.valid"));
    assert!(b.text("#qr-countdown").await.starts_with("New code in"));
    assert_eq!(
        b.decode_qr("#qr-code svg").await,
        qr,
        "the QR drawn carries the payload"
    );
    b.screenshot("ecard-qr").await;
    b.axe("/web/ecard/qr").await;

    // Offline, with what a gate downloaded: valid now, stale 31 s later.
    let dir = tempfile::tempdir().unwrap();
    download(&s, dir.path()).await;
    let (ok, out) = verify(&bin, dir.path(), &qr, None);
    assert!(ok, "{out}");
    let valid = format!("valid presentation: permit {number} LENA FISCHER until {valid_to}");
    assert_eq!(out, valid);
    let (ok, out) = verify(&bin, dir.path(), &qr, Some(iat + 31));
    assert!(!ok);
    assert_eq!(out, "rejected: replayed_or_stale_presentation");

    // The page re-signs every 10 s with the same device key.
    let (second, _) = next_qr(&b, &qr).await;
    assert_eq!(verify(&bin, dir.path(), &second, None), (true, valid));
    let devices = s.api_get("/api/v1/ecard/devices", &number).await;
    assert_eq!(
        devices["items"].as_array().unwrap().len(),
        1,
        "one device bound: {devices}"
    );

    // Lost: the card is frozen, the outbox runs, and the device's next QR
    // (made before the page learns of it) is refused as suspended.
    s.api_as(
        &format!("/api/v1/cards/{card}/events"),
        CARD,
        json!({ "type": "lost" }),
    )
    .await;
    s.dispatch().await;
    let (third, _) = next_qr(&b, &second).await;
    download(&s, dir.path()).await;
    assert_eq!(
        verify(&bin, dir.path(), &third, None),
        (false, "rejected: suspended".into())
    );
    // Opened again (online), the page shows the state instead of a QR.
    b.goto(&s.url("/web/ecard/qr")).await;
    wait_state(&b, "suspended").await;
    assert_eq!(b.text("#qr-state").await, text("en", "ecard_qr.suspended"));
    assert!(!b.exists("#qr-code svg").await, "no QR while suspended");
    assert_eq!(b.attr("#qr-box", "hidden").await, "true");
    b.screenshot("ecard-qr-suspended").await;
    b.axe("/web/ecard/qr suspended").await;

    // The devices page lists it, suspended, and revokes it.
    b.goto(&s.url("/web/ecard/devices")).await;
    b.axe("/web/ecard/devices").await;
    let status = b.text(".device .status").await;
    assert_eq!(status, text("en", "ecard_devices.status.suspended"));
    b.go(".device form button[type=submit]").await;
    assert_eq!(b.path().await, "/web/ecard/devices?done=device_revoked");
    assert_eq!(b.text("#flash").await, text("en", "done.device_revoked"));
    assert_eq!(
        b.text(".device .status").await,
        text("en", "ecard_devices.status.revoked")
    );
    assert!(
        !b.exists(".device form").await,
        "a revoked device has no button"
    );
    b.screenshot("ecard-devices").await;
    b.goto(&s.url("/web/ecard/qr")).await;
    wait_state(&b, "revoked").await;
    assert_eq!(b.attr("#qr-rebind", "hidden").await, "");
    b.finish().await;
}
