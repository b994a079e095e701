//! The verifier page's camera, end to end: Chromium's fake camera plays a
//! video of the Notice's QR; `scan.js` reads it with jsQR, fills the form and
//! submits it, and the verdict is "valid".

use std::path::Path;

use zhengka_credential::QrMatrix;

use crate::browser::{self, text};
use crate::server::{POLICE, Server};

/// Pixels per module and the light margin, in modules.
const PX: usize = 4;
const QUIET: usize = 6;

/// A short Y4M video (4:2:0, grey) of `payload` as a QR code.
pub(crate) fn qr_video(payload: &str, path: &Path) {
    let m = QrMatrix::encode(payload).expect("a QR");
    let side = (m.width() + 2 * QUIET) * PX;
    let side = side + side % 2;
    let mut luma = vec![235u8; side * side];
    for y in 0..m.width() {
        for x in 0..m.width() {
            if m.is_dark(x, y) {
                for dy in 0..PX {
                    let row = ((y + QUIET) * PX + dy) * side;
                    let at = row + (x + QUIET) * PX;
                    luma[at..at + PX].fill(16);
                }
            }
        }
    }
    let chroma = vec![128u8; (side / 2) * (side / 2) * 2];
    let mut out = format!("YUV4MPEG2 W{side} H{side} F5:1 Ip A1:1 C420jpeg\n").into_bytes();
    for _ in 0..5 {
        out.extend_from_slice(b"FRAME\n");
        out.extend_from_slice(&luma);
        out.extend_from_slice(&chroma);
    }
    std::fs::write(path, out).unwrap();
}

#[tokio::test]
async fn the_police_scan_a_notice_with_the_camera() {
    let s = Server::spawn().await;
    s.cast().await;
    let approved = s.approved_from_abroad("FP2222222").await;
    let number = approved["permit_number"].as_str().unwrap().to_owned();
    let qr = s.notice_qr(approved["id"].as_str().unwrap()).await;
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("notice.y4m");
    qr_video(&qr, &video);
    let camera = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
        format!("--use-file-for-fake-video-capture={}", video.display()),
    ];
    let Some(b) = browser::start_with(&camera).await else {
        return;
    };
    b.goto(&s.url("/web/lang/en?next=/web/sign-in")).await;
    b.sign_in(&s.base, POLICE).await;
    assert_eq!(b.path().await, "/web/verify");
    assert!(
        !b.exists("#scanner[hidden]").await,
        "the scanner is offered"
    );
    b.select("#f-reason", "identity_check").await;
    b.go("#scan-start").await;
    assert_eq!(b.attr("#verdict", "data-verdict").await, "valid");
    assert_eq!(b.text("#verdict-title").await, text("en", "verify.valid"));
    assert_eq!(b.text("#v-permit_number").await, number);
    b.axe("verifier after a scan").await;
    b.finish().await;
}
