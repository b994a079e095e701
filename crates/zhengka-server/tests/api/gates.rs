//! Offline gates: registration by the admin with a public key, and the
//! signed batch upload of their logs (forged, revoked, replayed, foreign
//! purpose, too old, racing).

use reqwest::Method;
use serde_json::{Value, json};
use zhengka_credential::gate::{LogEntry, public_key_text, sign_batch};
use zhengka_credential::{Algorithm, SigningKey};
use zhengka_store::prelude::*;

use crate::helpers::*;

fn transit() -> Value {
    json!({ "name": "Guangzhou Metro", "sector": "transport", "region_code": "440100",
            "purposes": ["transit"], "rate_limit_per_minute": 600 })
}

async fn organisation(app: &TestApp, body: &Value) -> String {
    let r = app.post("/api/v1/relying-parties", &app.admin, body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn gate(app: &TestApp, org: &str, gate_id: &str, key: &SigningKey) -> Response {
    let body = json!({ "gate_id": gate_id, "name": "Line 3, Tiyu Xilu, gate 7",
                       "public_key": public_key_text(key.public_key()) });
    app.post(
        &format!("/api/v1/relying-parties/{org}/gates"),
        &app.admin,
        &body,
    )
    .await
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> Response {
    let mut req = app
        .client
        .post(format!("{}/api/v1/verifications/batch", app.base))
        .header("content-type", "application/cose")
        .body(body);
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    Response {
        status,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

fn entry(id: &str, at: i64, purpose: &str) -> LogEntry {
    LogEntry {
        id: id.into(),
        at,
        permit_number: Some("P440100000GATE".into()),
        purpose: purpose.into(),
        credential_kind: "presentation".into(),
        result: "valid".into(),
        reason: None,
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn the_admin_registers_gates_with_their_public_keys() {
    each_backend(|app| async move {
        let (_, agent, _) = app.cast().await;
        let org = organisation(&app, &transit()).await;
        let other = organisation(&app, &transit()).await;
        let ed = SigningKey::generate(Algorithm::EdDsa).unwrap();
        let es = SigningKey::generate(Algorithm::Es256).unwrap();
        let path = format!("/api/v1/relying-parties/{org}/gates");
        let body = json!({ "gate_id": "gate-07", "name": "Gate 7",
                           "public_key": public_key_text(ed.public_key()) });
        assert_eq!(app.post(&path, &agent, &body).await.status, 403);
        let r = app
            .post("/api/v1/relying-parties/nope/gates", &app.admin, &body)
            .await;
        assert_eq!((r.status, r.error().0), (404, "relying_party_not_found"));
        let before = app.audit_count().await;
        let r = gate(&app, &org, "gate-07", &ed).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert!(r.body["public_key"].as_str().unwrap().starts_with("EdDSA:"));
        let r = gate(&app, &org, "gate-08", &es).await;
        assert!(r.body["public_key"].as_str().unwrap().starts_with("ES256:"));
        assert_eq!(app.audit_count().await, before + 2);
        // The id is unique across organisations.
        let r = gate(&app, &other, "gate-07", &es).await;
        assert_eq!(r.status, 409);
        assert_eq!(r.error(), ("gate_exists", Some("gate_id")));
        for (change, field, code) in [
            (
                json!({ "public_key": "RSA:00ff" }),
                "public_key",
                "invalid_public_key",
            ),
            (
                json!({ "public_key": "EdDSA:0011" }),
                "public_key",
                "invalid_public_key",
            ),
            (json!({ "gate_id": "g 7" }), "gate_id", "invalid_gate_id"),
            (json!({ "name": " " }), "name", "invalid_gate_name"),
        ] {
            let mut b = json!({ "gate_id": "gate-09", "name": "Gate 9",
                                "public_key": public_key_text(ed.public_key()) });
            for (k, v) in change.as_object().unwrap() {
                b[k] = v.clone();
            }
            let r = app.post(&path, &app.admin, &b).await;
            assert_eq!(
                (r.status, r.error()),
                (422, (code, Some(field))),
                "{change}"
            );
        }
        let list = app.get(&path, &app.admin).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 2);
        assert_eq!(app.get(&path, &agent).await.status, 403);
        let revoke = |id: &str| {
            let (app, path) = (&app, format!("{path}/{id}"));
            async move {
                app.request(Method::DELETE, &path, &app.admin, None, &[])
                    .await
            }
        };
        assert_eq!(revoke("gate-07").await.status, 204);
        let again = revoke("gate-07").await;
        assert_eq!((again.status, again.error().0), (404, "gate_not_found"));
        let foreign = app
            .request(
                Method::DELETE,
                &format!("/api/v1/relying-parties/{other}/gates/gate-08"),
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(
            foreign.status, 404,
            "a gate is revoked through its own organisation"
        );
        let list = app.get(&path, &app.admin).await;
        let revoked: Vec<bool> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| !g["revoked_at"].is_null())
            .collect();
        assert_eq!(revoked.iter().filter(|r| **r).count(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_signed_batch_is_recorded_once_as_offline_checks_of_the_gates_organisation() {
    each_backend(|app| async move {
        let org = organisation(&app, &transit()).await;
        let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
        assert_eq!(gate(&app, &org, "gate-07", &key).await.status, 201);
        let t = now();
        let mut rejected = entry("e-3", t - 60, "transit");
        rejected.result = "rejected".into();
        rejected.reason = Some("replayed_or_stale_presentation".into());
        rejected.permit_number = None;
        let entries = vec![
            entry("e-1", t - 3600, "transit"),
            entry("e-2", t - 29 * 86_400, "transit"),
            rejected,
        ];
        let batch = sign_batch(&key, "gate-07", t, &entries);
        let before = app.audit_count().await;
        let r = upload(&app, "", batch.clone()).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            (&r.body["received"], &r.body["new"], &r.body["duplicate"]),
            (&json!(3), &json!(3), &json!(0))
        );
        assert_eq!(app.audit_count().await, before + 1);
        // The same batch again (a gate that lost the answer) adds nothing.
        let r = upload(&app, "", batch).await;
        assert_eq!(
            (&r.body["new"], &r.body["duplicate"]),
            (&json!(0), &json!(3))
        );
        let mut more = entries[..1].to_vec();
        more.push(entry("e-4", t, "transit"));
        let r = upload(&app, "", sign_batch(&key, "gate-07", t, &more)).await;
        assert_eq!(
            (&r.body["new"], &r.body["duplicate"]),
            (&json!(1), &json!(1))
        );
        let log = app
            .store
            .verifications_for_holder("P440100000GATE", None, 50)
            .await
            .unwrap();
        assert_eq!(log.len(), 3, "the holder sees each check once: {log:?}");
        assert!(log.iter().all(|e| e.offline
            && e.organisation_id.as_deref() == Some(org.as_str())
            && e.organisation_name == "Guangzhou Metro"
            && e.verifier == "gate:gate-07"
            && e.purpose == "transit"));
        let of_org = app
            .store
            .verifications_of_organisation(&org, None, 50)
            .await
            .unwrap();
        assert_eq!(of_org.len(), 4);
    })
    .await;
}

#[tokio::test]
async fn forged_unknown_revoked_foreign_and_stale_batches_are_refused() {
    each_backend(|app| async move {
        let org = organisation(&app, &transit()).await;
        let mut bank = transit();
        bank["sector"] = json!("finance");
        bank["purposes"] = json!(["bank"]);
        let other = organisation(&app, &bank).await;
        let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
        let es = SigningKey::generate(Algorithm::Es256).unwrap();
        gate(&app, &org, "gate-07", &key).await;
        gate(&app, &org, "gate-es", &es).await;
        let t = now();
        let good = vec![entry("e-1", t, "transit")];
        let before = app.audit_count().await;

        let forger = SigningKey::generate(Algorithm::EdDsa).unwrap();
        let r = upload(&app, "", sign_batch(&forger, "gate-07", t, &good)).await;
        assert_eq!((r.status, r.error().0), (401, "bad_signature"));
        // ES256 gate, batch signed with the Ed25519 key of another gate.
        let r = upload(&app, "", sign_batch(&key, "gate-es", t, &good)).await;
        assert_eq!((r.status, r.error().0), (401, "bad_signature"));
        let mut tampered = sign_batch(&key, "gate-07", t, &good);
        let at = tampered.len() - 70;
        tampered[at] ^= 1;
        let r = upload(&app, "", tampered).await;
        assert_eq!((r.status, r.error().0), (401, "bad_signature"));
        let r = upload(&app, "", sign_batch(&key, "gate-99", t, &good)).await;
        assert_eq!((r.status, r.error().0), (404, "gate_unknown"));
        let r = upload(&app, "", b"not cose".to_vec()).await;
        assert_eq!((r.status, r.error().0), (400, "malformed_batch"));
        let r = app
            .client
            .post(format!("{}/api/v1/verifications/batch", app.base))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 415);

        let bad = vec![
            entry("e-1", t, "transit"),
            entry("e-2", t, "bank"),
            entry("e-3", t - 31 * 86_400, "transit"),
            entry("e-4", t + 3600, "transit"),
            entry("e-1", t, "transit"),
        ];
        let r = upload(&app, "", sign_batch(&key, "gate-07", t, &bad)).await;
        assert_eq!(
            (r.status, r.error().0),
            (422, "invalid_batch"),
            "{:?}",
            r.body
        );
        assert_eq!(
            r.body["lines"],
            json!([
                { "index": 1, "field": "purpose", "code": "purpose_not_registered" },
                { "index": 2, "field": "at", "code": "entry_too_old" },
                { "index": 3, "field": "at", "code": "entry_in_future" },
                { "index": 4, "field": "id", "code": "duplicate_entry" },
            ])
        );
        let r = upload(&app, "", sign_batch(&key, "gate-07", t, &[])).await;
        assert_eq!(r.error(), ("batch_size", Some("entries")));
        let many: Vec<LogEntry> = (0..1001)
            .map(|i| entry(&format!("m{i}"), t, "transit"))
            .collect();
        let r = upload(&app, "", sign_batch(&key, "gate-07", t, &many)).await;
        assert_eq!((r.status, r.error().0), (422, "batch_size"));
        assert_eq!(
            app.audit_count().await,
            before,
            "nothing refused is recorded"
        );

        // An API credential of another organisation cannot upload for the gate;
        // the gate's own organisation's can.
        let token = |org: String| {
            let app = &app;
            async move {
                app.post(
                    &format!("/api/v1/relying-parties/{org}/credentials"),
                    &app.admin,
                    &json!({}),
                )
                .await
                .body["token"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let foreign = token(other).await;
        let r = upload(&app, &foreign, sign_batch(&key, "gate-07", t, &good)).await;
        assert_eq!((r.status, r.error().0), (404, "gate_unknown"));
        let own = token(org.clone()).await;
        let r = upload(&app, &own, sign_batch(&key, "gate-07", t, &good)).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let r = upload(&app, &app.admin, sign_batch(&key, "gate-07", t, &good)).await;
        assert_eq!(r.status, 403, "a session is no gate");

        let revoke = app
            .request(
                Method::DELETE,
                &format!("/api/v1/relying-parties/{org}/gates/gate-07"),
                &app.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(revoke.status, 204);
        let late = vec![entry("e-9", t, "transit")];
        let r = upload(&app, "", sign_batch(&key, "gate-07", t, &late)).await;
        assert_eq!((r.status, r.error().0), (401, "gate_revoked"));
        let log = app
            .store
            .verifications_of_organisation(&org, None, 50)
            .await
            .unwrap();
        assert_eq!(log.len(), 1, "only the one good upload: {log:?}");
    })
    .await;
}

#[tokio::test]
async fn two_uploads_of_one_batch_at_once_record_each_entry_once() {
    each_backend(|app| async move {
        let org = organisation(&app, &transit()).await;
        let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
        gate(&app, &org, "gate-07", &key).await;
        let t = now();
        let entries: Vec<LogEntry> = (0..50)
            .map(|i| entry(&format!("r{i}"), t, "transit"))
            .collect();
        let batch = sign_batch(&key, "gate-07", t, &entries);
        let (a, b) = tokio::join!(upload(&app, "", batch.clone()), upload(&app, "", batch));
        assert_eq!(
            (a.status, b.status),
            (200, 200),
            "{:?} {:?}",
            a.body,
            b.body
        );
        let new = a.body["new"].as_u64().unwrap() + b.body["new"].as_u64().unwrap();
        assert_eq!(new, 50);
        let log = app
            .store
            .verifications_of_organisation(&org, None, 100)
            .await
            .unwrap();
        assert_eq!(log.len(), 50);
    })
    .await;
}

#[tokio::test]
async fn a_gates_uploads_are_held_to_its_organisations_rate_limit() {
    each_backend(|app| async move {
        let mut slow = transit();
        slow["rate_limit_per_minute"] = json!(2);
        let org = organisation(&app, &slow).await;
        let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
        gate(&app, &org, "gate-07", &key).await;
        let t = now();
        let forger = SigningKey::generate(Algorithm::EdDsa).unwrap();
        let forged = sign_batch(&forger, "gate-07", t, &[entry("e-1", t, "transit")]);
        for _ in 0..2 {
            assert_eq!(upload(&app, "", forged.clone()).await.status, 401);
        }
        let good = sign_batch(&key, "gate-07", t, &[entry("e-1", t, "transit")]);
        let r = upload(&app, "", good).await;
        assert_eq!(r.status, 429, "{:?}", r.body);
    })
    .await;
}
