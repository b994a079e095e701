//! Materials: uploaded as the raw file, typed by content, kept to the owner
//! and the region's officers, refused once the application is submitted.

use serde_json::{Value, json};

use crate::helpers::*;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";

async fn upload(app: &TestApp, token: &str, id: &str, query: &str, bytes: Vec<u8>) -> Response {
    let res = app
        .client
        .post(format!(
            "{}/api/v1/applications/{id}/materials?{query}",
            app.base
        ))
        .bearer_auth(token)
        // Whatever the client says the type is, the content decides.
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("request sent");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Response { status, body }
}

#[tokio::test]
async fn upload_list_download_and_refusals() {
    each_backend(|app| async move {
        let (_, agent, officer) = app.cast().await;
        let rival_employer = app.employer(&uscc("91440300MA5DYYYY1"), "440305").await;
        let rival = app
            .user("hr@rival", "employer_agent", Some(&rival_employer), None)
            .await;
        let created = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E12121212"),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let base = format!("/api/v1/applications/{id}/materials");

        let r = upload(
            &app,
            &agent,
            &id,
            "kind=passport_copy&file_name=passport.pdf",
            PDF.to_vec(),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["content_type"], "application/pdf");
        assert_eq!(r.body["size_bytes"], PDF.len());
        assert_eq!(r.body["kind"], "passport_copy");
        let material_id = r.body["id"].as_str().unwrap().to_owned();

        for token in [&agent, &officer] {
            let list = app.get(&base, token).await;
            assert_eq!(list.status, 200, "{:?}", list.body);
            assert_eq!(list.body["items"][0]["id"], json!(material_id));
            assert_eq!(list.body["items"][0]["file_name"], "passport.pdf");
        }
        let res = app
            .client
            .get(format!("{}{base}/{material_id}", app.base))
            .bearer_auth(&officer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "application/pdf");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), PDF, "the same bytes");

        // Another employer sees nothing, can add nothing.
        assert_eq!(app.get(&base, &rival).await.status, 404);
        assert_eq!(
            app.get(&format!("{base}/{material_id}"), &rival)
                .await
                .status,
            404
        );
        let r = upload(
            &app,
            &rival,
            &id,
            "kind=passport_copy&file_name=x.pdf",
            PDF.to_vec(),
        )
        .await;
        assert_eq!(r.status, 404);
        // A material is only found under its own application.
        let other = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E34343434"),
            )
            .await;
        let other_id = other.body["id"].as_str().unwrap();
        let r = app
            .get(
                &format!("/api/v1/applications/{other_id}/materials/{material_id}"),
                &agent,
            )
            .await;
        assert_eq!(r.status, 404);

        // Refusals write nothing.
        let before = app.audit_count().await;
        let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
        exe.extend_from_slice(&[0; 100]);
        let r = upload(&app, &agent, &id, "kind=passport_copy&file_name=x.pdf", exe).await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unsupported_file_type", Some("file")))
        );
        let r = upload(
            &app,
            &agent,
            &id,
            "kind=passport_copy&file_name=x.pdf",
            vec![],
        )
        .await;
        assert_eq!((r.status, r.error().0), (422, "empty_file"));
        let mut big = PDF.to_vec();
        big.resize(5 * 1024 * 1024 + 1, b' ');
        let r = upload(
            &app,
            &agent,
            &id,
            "kind=passport_copy&file_name=big.pdf",
            big,
        )
        .await;
        assert_eq!((r.status, r.error().0), (422, "file_too_large"));
        let mut huge = PDF.to_vec();
        huge.resize(8 * 1024 * 1024, b' ');
        let r = upload(
            &app,
            &agent,
            &id,
            "kind=passport_copy&file_name=huge.pdf",
            huge,
        )
        .await;
        assert_eq!(r.status, 413);
        let r = upload(
            &app,
            &agent,
            &id,
            "kind=selfie&file_name=x.pdf",
            PDF.to_vec(),
        )
        .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unknown_value", Some("kind")))
        );
        let r = upload(&app, &agent, &id, "kind=photo", PDF.to_vec()).await;
        assert_eq!((r.status, r.error().1), (422, Some("file_name")));
        let r = upload(
            &app,
            &officer,
            &id,
            "kind=photo&file_name=x.pdf",
            PDF.to_vec(),
        )
        .await;
        assert_eq!(r.status, 403);

        // Once submitted, the materials are fixed.
        let r = app
            .post(
                &format!("/api/v1/applications/{id}/submit"),
                &agent,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let before = (before, app.audit_count().await);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let r = upload(&app, &agent, &id, "kind=photo&file_name=me.png", png).await;
        assert_eq!((r.status, r.error().0), (409, "not_editable"));
        assert_eq!(app.audit_count().await, before.1, "nothing written");
        assert_eq!(before.0 + 1, before.1, "only the submission");
        assert_eq!(
            app.get(&base, &agent).await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn an_upload_with_an_idempotency_key_is_stored_once() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let created = app
            .post(
                "/api/v1/applications",
                &agent,
                &new_from_abroad("E56565656"),
            )
            .await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let mut jpeg = b"\xff\xd8\xff\xe0\0\x10JFIF\0".to_vec();
        jpeg.resize(2 * 1024 * 1024, 0);
        let url = format!(
            "{}/api/v1/applications/{id}/materials?kind=photo&file_name=me.jpg",
            app.base
        );
        let mut ids = vec![];
        for _ in 0..2 {
            let res = app
                .client
                .post(&url)
                .bearer_auth(&agent)
                .header("idempotency-key", "upload-1")
                .body(jpeg.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 201);
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["content_type"], "image/jpeg");
            ids.push(body["id"].clone());
        }
        assert_eq!(ids[0], ids[1], "the retry gets the first answer");
        let list = app
            .get(&format!("/api/v1/applications/{id}/materials"), &agent)
            .await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_racing_the_submission_never_lands_after_it() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let mut tally = std::collections::BTreeMap::<(u16, u16), usize>::new();
        for round in 0..16 {
            let form = new_from_abroad(&format!("MR{round:07}"));
            let created = app.post("/api/v1/applications", &agent, &form).await;
            let id = created.body["id"].as_str().unwrap().to_owned();
            let submit = format!("/api/v1/applications/{id}/submit");
            let (up, sub) = tokio::join!(
                upload(
                    &app,
                    &agent,
                    &id,
                    "kind=passport_copy&file_name=p.pdf",
                    PDF.to_vec()
                ),
                app.post(&submit, &agent, &json!(null))
            );
            *tally.entry((up.status, sub.status)).or_default() += 1;
            assert_eq!(sub.status, 200, "{:?}", sub.body);
            let filter = zhengka_store::AuditFilter {
                entity_type: Some("application".into()),
                entity_id: Some(id.clone()),
                limit: 10,
                ..Default::default()
            };
            let events = zhengka_store::Store::audit_events(app.store.as_ref(), &filter)
                .await
                .unwrap();
            let seq = |action: &str| events.iter().find(|e| e.action == action).map(|e| e.seq);
            match up.status {
                // Accepted: it was written while the application was a draft.
                201 => {
                    let uploaded = seq("material.uploaded").expect("the upload is audited");
                    let submitted = seq("application.submitted").expect("so is the submission");
                    assert!(
                        uploaded < submitted,
                        "round {round}: a material was added after the submission: {events:?}"
                    );
                }
                409 => {
                    let codes = ["not_editable", "concurrent_update"];
                    assert!(codes.contains(&up.error().0), "{:?}", up.body);
                    assert_eq!(seq("material.uploaded"), None, "nothing written");
                }
                other => panic!("round {round}: upload answered {other}: {:?}", up.body),
            }
        }
        eprintln!("upload/submit race ({}): {tally:?}", app.backend);
    })
    .await;
}
