//! The Notice PDF as a reader sees it: the deployment's authority, an
//! employer's arbitrary Chinese name and the holder's photo come back out of
//! the file (poppler's pdftotext/pdfimages), set in an embedded font subset;
//! the passport number only for those who may see it.

use serde_json::json;
use zhengka_server::Config;
use zhengka_server::authority::Authority;

use crate::helpers::*;

/// Run a poppler tool on `pdf` (Debian poppler-utils; .ci/run installs it).
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.pdf");
    std::fs::write(&file, pdf).unwrap();
    let mut cmd = std::process::Command::new(tool);
    cmd.args(args).arg(&file);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().expect("apt-get install poppler-utils");
    assert!(out.status.success(), "{tool}: {:?}", out);
    String::from_utf8(out.stdout).unwrap()
}

/// The text of `pdf`, as a reader extracts it.
pub fn pdftotext(pdf: &[u8]) -> String {
    poppler("pdftotext", &[], pdf)
}

/// A real JPEG (what a phone camera uploads), 60 × 80.
fn photo() -> Vec<u8> {
    let pixels: Vec<u8> = (0..60 * 80)
        .flat_map(|i| [(i % 251) as u8, 90, 160])
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 85)
        .encode(&pixels, 60, 80, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

async fn get_pdf(app: &TestApp, base: &str, path: &str, token: &str) -> (u16, Vec<u8>) {
    let res = app
        .client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn the_notice_shows_authority_employer_photo_and_passport() {
    each_backend(|app| async move {
        const EMPLOYER: &str = "广州市黄埔区鹍鹏智能制造有限公司";
        let body = json!({ "uscc": USCC_A, "name": EMPLOYER, "region_code": "440106",
                           "address": "1 Test Road" });
        let r = app.post("/api/v1/employers", &app.admin, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let employer = r.body["id"].as_str().unwrap().to_owned();
        let agent = app
            .user("hr@a", "employer_agent", Some(&employer), None)
            .await;
        let officer = app
            .user("officer.gd", "permit_officer", None, Some("440000"))
            .await;
        let created = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E31415926"),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let up = app
            .client
            .post(format!(
                "{}/api/v1/applications/{id}/materials?kind=photo&file_name=me.jpg",
                app.base
            ))
            .bearer_auth(&agent)
            .header("idempotency-key", "photo-1")
            .body(photo())
            .send()
            .await
            .unwrap();
        assert_eq!(up.status().as_u16(), 201);
        let r = app
            .post(
                &format!("/api/v1/applications/{id}/submit"),
                &agent,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let approver = app.approver().await;
        for (step, who) in [
            ("accept", &officer),
            ("preliminary_review", &officer),
            ("approve", &approver),
        ] {
            let r = app
                .post(
                    &format!("/api/v1/applications/{id}/decisions"),
                    who,
                    &json!({ "step": step, "outcome": "pass" }),
                )
                .await;
            assert_eq!(r.status, 200, "{step}: {:?}", r.body);
        }
        let base = app
            .server_with(Config {
                authority: Authority {
                    name_zh: "广东省科学技术厅".into(),
                    name_en: "Department of Science and Technology of Guangdong Province".into(),
                },
                ..Config::default()
            })
            .await;
        let path = format!("/api/v1/applications/{id}/notice.pdf");
        for token in [&agent, &officer] {
            let (status, pdf) = get_pdf(&app, &base, &path, token).await;
            assert_eq!(status, 200);
            let text = poppler("pdftotext", &[], &pdf);
            for s in [
                "广东省科学技术厅",
                "外国人工作许可通知",
                EMPLOYER,
                "ANNO BERNHARD DEDERICHS",
                "E31415926",
            ] {
                assert!(text.contains(s), "{s} not in\n{text}");
            }
            let images = poppler("pdfimages", &["-list"], &pdf);
            assert!(
                images.contains("image      60    80  rgb     3   8  jpeg"),
                "{images}"
            );
            let fonts = poppler("pdffonts", &[], &pdf);
            assert!(
                fonts.lines().nth(2).unwrap().contains("+"),
                "a subset: {fonts}"
            );
        }
        // Another employer's agent sees no such application; the admin no Notice.
        let other = app.employer(&uscc("91440101MA5C00000"), "440106").await;
        let stranger = app.user("hr@b", "employer_agent", Some(&other), None).await;
        assert_eq!(get_pdf(&app, &base, &path, &stranger).await.0, 404);
        assert_eq!(get_pdf(&app, &base, &path, &app.admin).await.0, 403);
        // A deployment without a CJK font says so instead of a broken PDF.
        let bare = app
            .server_with(Config {
                pdf_font: None,
                ..Config::default()
            })
            .await;
        let res = app
            .client
            .get(format!("{bare}{path}"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 503);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "pdf_font_missing");
    })
    .await;
}
