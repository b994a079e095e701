//! Region federation with two deployments on one machine, each with its own
//! database, keys and issuer region: Guangdong (A, 440000) and Shanghai (B,
//! 310000). B pins A by its trust anchor; A's Notice and e-card presentation
//! then verify at B online and, from B's published set, offline; A's
//! cancellation reaches B at its next refresh. Forged lists, lists granting
//! another region's keys, stale and missing status lists, older lists and a
//! second pin of one region (racing) are refused.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};
use zhengka_credential::{
    Algorithm, Policy, Purpose, RegionTrust, Rejection, SigningKey, StatusBits, StatusList,
    TrustList, TrustSet, accept_trust_list, anchor_text, parse_anchor, present, status,
    verify_with_set,
};
use zhengka_store::prelude::*;
use zhengka_store::testing;

use crate::ecard_devices::device_key;
use crate::helpers::*;

const A: &str = "440000";
const B: &str = "310000";

/// Run `story` once per backend with two fresh deployments: A and B.
async fn two_regions<F, Fut>(story: F)
where
    F: Fn(TestApp, TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let pairs = testing::all().await.into_iter().zip(testing::all().await);
    for (da, db) in pairs {
        let a = TestApp::spawn_in(da, A).await;
        let b = TestApp::spawn_in(db, B).await;
        eprintln!("-- backend: {}", a.backend);
        story(a, b).await;
    }
}

/// A change written past the server (as another instance would) is seen
/// once the server reads its peers again, at most STATUS_RECHECK (1 s) later.
async fn past_recheck() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

fn pin_body(a: &TestApp, region: &str, max_age: i64) -> Value {
    json!({ "region_code": region, "name": "Guangdong", "anchor": anchor_text(&a.anchor),
            "url": a.base, "max_age_seconds": max_age })
}

async fn verify_at(b: &TestApp, token: &str, qr: &str, purpose: &str) -> Value {
    let r = b
        .post(
            "/api/v1/verifications",
            token,
            &json!({ "qr": qr, "purpose": purpose }),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    r.body
}

/// An approved permit's Notice QR at A; (permit number, QR).
async fn notice(a: &TestApp, agent: &str, officer: &str, passport: &str) -> (String, String) {
    let approved = a.approve(agent, officer, &new_from_abroad(passport)).await;
    let id = approved["id"].as_str().unwrap();
    let n = a
        .get(&format!("/api/v1/applications/{id}/notice"), agent)
        .await;
    assert_eq!(n.status, 200, "{:?}", n.body);
    (
        approved["permit_number"].as_str().unwrap().to_owned(),
        n.body["qr"].as_str().unwrap().to_owned(),
    )
}

/// What a B gate downloads (`GET /api/v1/federation/trust-lists`) as a set:
/// B's own list under B's anchor (provisioned out of band), each peer's under
/// the anchor the set names for it, with its status lists.
async fn offline_set(b: &TestApp) -> TrustSet {
    let now = Utc::now().timestamp();
    let r = b.get("/api/v1/federation/trust-lists", "").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let bytes = |v: &Value| STANDARD.decode(v.as_str().unwrap()).unwrap();
    let own = TrustList::from_signed(&bytes(&r.body["trust_list"]), &b.anchor, now).unwrap();
    let mut set = TrustSet::new();
    set.push(RegionTrust::new(B, own).unwrap()).unwrap();
    for p in r.body["peers"].as_array().unwrap() {
        let anchor = parse_anchor(p["anchor"].as_str().unwrap()).unwrap();
        let region = p["region_code"].as_str().unwrap();
        let list = accept_trust_list(&bytes(&p["trust_list"]), &anchor, region, now).unwrap();
        let mut trust = RegionTrust::new(region, list).unwrap();
        for s in p["status_lists"].as_array().unwrap() {
            trust = trust.with_status_token(&bytes(&s["token"])).unwrap();
        }
        set.push(trust.peer(p["max_age_seconds"].as_i64().unwrap()))
            .unwrap();
    }
    set
}

#[tokio::test]
async fn region_a_credentials_verify_in_region_b_until_a_cancels() {
    two_regions(|a, b| async move {
        let c = a.card_cast().await;
        let (permit, qr) = notice(&a, &c.agent, &c.officer, "FD0000001").await;
        let police = b.user("police.sh", "police_officer", None, Some(B)).await;
        // Not pinned yet: A's key is unknown at B.
        let v = verify_at(&b, &police, &qr, "notice").await;
        assert_eq!(v, json!({ "valid": false, "reason": "unknown_key" }));

        let pinned = b
            .post("/api/v1/federation/peers", &b.admin, &pin_body(&a, A, 600))
            .await;
        assert_eq!(pinned.status, 201, "{:?}", pinned.body);
        let p = &pinned.body;
        assert_eq!(
            (p["region_code"].as_str(), p["last_error"].as_str()),
            (Some(A), None),
            "{p}"
        );
        assert!(p["fetched_at"].is_string(), "{p}");
        let uris: Vec<&str> = p["status_lists"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["uri"].as_str().unwrap())
            .collect();
        assert_eq!(uris.len(), 3, "{p}");
        assert!(
            uris.iter().all(|u| u.starts_with("urn:zhengka:440000:")),
            "{uris:?}"
        );
        let id = p["id"].as_str().unwrap().to_owned();
        let got = b
            .get(&format!("/api/v1/federation/peers/{id}"), &b.admin)
            .await;
        assert_eq!((got.status, &got.body["id"]), (200, &json!(id)));
        let listed = b.get("/api/v1/federation/peers", &b.admin).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

        // Online at B: A's Notice, with the police's fields.
        let v = verify_at(&b, &police, &qr, "notice").await;
        assert_eq!(
            (&v["valid"], &v["kind"]),
            (&json!(true), &json!("notice")),
            "{v}"
        );
        assert_eq!(v["permit"]["permit_number"], json!(permit));
        // Offline at a B gate, from B's published set.
        let set = offline_set(&b).await;
        let now = Utc::now().timestamp();
        let offline = verify_with_set(&qr, &set, now, Purpose::Notice, &Policy::default()).unwrap();
        assert_eq!(offline.issuer.region, A);
        assert_eq!(offline.status, zhengka_credential::StatusCheck::Valid);

        // An e-card presentation of an A holder's bound device, at B.
        let (_, token, _) = a.holder_with_card(&c, "FD0000002").await;
        let (key, public) = device_key();
        let bound = a.bind(&token, &public, "phone").await;
        assert_eq!(bound.status, 201, "{:?}", bound.body);
        let cose = STANDARD
            .decode(bound.body["card_credential"]["cose"].as_str().unwrap())
            .unwrap();
        // B fetches A's device list again (the binding changed it).
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{id}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let shown = present(&cose, &key, Utc::now().timestamp()).unwrap().qr;
        let v = verify_at(&b, &police, &shown, "presentation").await;
        assert_eq!(
            (&v["valid"], &v["kind"]),
            (&json!(true), &json!("card")),
            "{v}"
        );
        let set = offline_set(&b).await;
        let shown = present(&cose, &key, Utc::now().timestamp()).unwrap().qr;
        let now = Utc::now().timestamp();
        verify_with_set(&shown, &set, now, Purpose::Presentation, &Policy::default()).unwrap();

        // A cancels the first permit; B learns it at its next refresh.
        let form = json!({ "kind": "cancellation", "permit_number": permit,
                           "cancellation": { "employment_ended_on": Utc::now().date_naive() } });
        a.approve(&c.agent, &c.officer, &form).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["valid"],
            json!(true),
            "not refreshed yet"
        );
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{id}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let v = verify_at(&b, &police, &qr, "notice").await;
        assert_eq!(v, json!({ "valid": false, "reason": "revoked" }));
        let set = offline_set(&b).await;
        let now = Utc::now().timestamp();
        let offline = verify_with_set(&qr, &set, now, Purpose::Notice, &Policy::default());
        assert_eq!(offline.unwrap_err(), Rejection::Revoked);

        // Unpinned: A's credentials are unknown again; every change audited.
        let r = b
            .request(
                Method::DELETE,
                &format!("/api/v1/federation/peers/{id}"),
                &b.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let v = verify_at(&b, &police, &qr, "notice").await;
        assert_eq!(v["reason"], "unknown_key");
        let actions = b.audit_actions().await;
        for action in [
            "federation.peer_pinned",
            "federation.peer_refreshed",
            "federation.peer_removed",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} in {actions:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn forged_overreaching_stale_and_older_lists_are_refused() {
    two_regions(|a, b| async move {
        let c = a.card_cast().await;
        let (_, qr) = notice(&a, &c.agent, &c.officer, "FD0000003").await;
        let police = b.user("police.sh", "police_officer", None, Some(B)).await;

        // Pinned to another anchor than A's: A's list is a forgery to B.
        let mallory = SigningKey::generate(Algorithm::Es256).unwrap();
        let mut body = pin_body(&a, A, 600);
        body["anchor"] = json!(anchor_text(mallory.public_key()));
        let pinned = b.post("/api/v1/federation/peers", &b.admin, &body).await;
        assert_eq!(pinned.status, 201, "{:?}", pinned.body);
        let last = pinned.body["last_error"].as_str().unwrap();
        assert!(last.starts_with("peer_list_not_verified"), "{last}");
        let id = pinned.body["id"].as_str().unwrap().to_owned();
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{id}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (409, "peer_list_not_verified"));
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["reason"],
            "unknown_key"
        );
        let r = b
            .request(
                Method::DELETE,
                &format!("/api/v1/federation/peers/{id}"),
                &b.admin,
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 200);

        // A's real anchor, pinned as Jiangsu: A's keys are Guangdong's.
        let pinned = b
            .post(
                "/api/v1/federation/peers",
                &b.admin,
                &pin_body(&a, "320000", 600),
            )
            .await;
        assert_eq!(pinned.status, 201, "{:?}", pinned.body);
        assert!(
            pinned.body["last_error"]
                .as_str()
                .unwrap()
                .starts_with("region_mismatch")
        );
        let jiangsu = pinned.body["id"].as_str().unwrap().to_owned();
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{jiangsu}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (409, "region_mismatch"));
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["reason"],
            "unknown_key"
        );

        // Pinned rightly, with a one-minute maximum age.
        let pinned = b
            .post("/api/v1/federation/peers", &b.admin, &pin_body(&a, A, 60))
            .await;
        assert_eq!(pinned.status, 201, "{:?}", pinned.body);
        assert!(pinned.body["last_error"].is_null(), "{:?}", pinned.body);
        let id = pinned.body["id"].as_str().unwrap().to_owned();
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["valid"],
            json!(true)
        );

        // A list 1 two minutes old (signed by A's key): stale for this peer.
        let pool = b.raw().await;
        let list = b.store.peer_status_lists(&id).await.unwrap();
        let one = list.iter().find(|l| l.uri.ends_with(":1")).unwrap().clone();
        sqlx::query("DELETE FROM federation_status_lists WHERE uri = $1")
            .bind(&one.uri)
            .execute(&pool)
            .await
            .unwrap();
        past_recheck().await;
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["reason"],
            "stale_status",
            "missing"
        );
        let issuer = SigningKey::from_pkcs8(Algorithm::Es256, &a.keys.0).unwrap();
        let now = Utc::now().timestamp();
        let old = StatusList {
            uri: one.uri.clone(),
            iat: now - 120,
            exp: now + 3600,
            ttl: 86_400,
            bits: StatusBits::new(status::MIN_ENTRIES),
        }
        .sign(&issuer);
        let stale = zhengka_store::PeerStatusList {
            token: STANDARD.encode(&old),
            iat: now - 120,
            ..one.clone()
        };
        let fetch = zhengka_store::PeerFetch {
            trust_list: None,
            status_lists: vec![stale.clone()],
        };
        let w = zhengka_store::Write::new(test_audit());
        let done = b
            .store
            .record_peer_fetch(&id, &fetch, Utc::now(), w)
            .await
            .unwrap();
        assert_eq!(done.status_lists_replaced, 1);
        past_recheck().await;
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["reason"],
            "stale_status",
            "too old"
        );

        // A refresh brings a current list; an older one never replaces it,
        // nor an older trust list the kept one.
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{id}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["valid"],
            json!(true)
        );
        let kept = b.store.peer(&id).await.unwrap();
        let (token, seq) = kept.trust_list.clone().unwrap();
        let older = zhengka_store::PeerFetch {
            trust_list: Some(("b2xk".into(), seq - 1)),
            status_lists: vec![stale],
        };
        let w = zhengka_store::Write::new(test_audit());
        let done = b
            .store
            .record_peer_fetch(&id, &older, Utc::now(), w)
            .await
            .unwrap();
        assert_eq!(done, zhengka_store::FetchRecorded::default());
        assert_eq!(
            b.store.peer(&id).await.unwrap().trust_list,
            Some((token, seq))
        );
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["valid"],
            json!(true)
        );
    })
    .await;
}

fn test_audit() -> zhengka_store::Audit {
    zhengka_store::Audit {
        at: Utc::now(),
        actor: "test".into(),
        action: "test.peer_fetch",
        entity_type: "federation_peer",
        entity_id: "test".into(),
        details: json!({}),
    }
}

#[tokio::test]
async fn peers_are_for_the_admin_and_their_input_is_checked() {
    two_regions(|a, b| async move {
        let police = b.user("police.sh", "police_officer", None, Some(B)).await;
        let r = b
            .post("/api/v1/federation/peers", &police, &pin_body(&a, A, 600))
            .await;
        assert_eq!(r.status, 403);
        assert_eq!(b.get("/api/v1/federation/peers", &police).await.status, 403);
        let r = b.get("/api/v1/federation/peers/nope", &b.admin).await;
        assert_eq!((r.status, r.error().0), (404, "peer_not_found"));
        let cases = [
            ("region_code", json!(B), "own_region"),
            ("region_code", json!("999999"), ""),
            ("anchor", json!("ES256:abcd"), "invalid_anchor"),
            ("anchor", json!("nonsense"), "invalid_anchor"),
            ("url", json!("ftp://x"), "invalid_url"),
            ("max_age_seconds", json!(10), "out_of_range"),
            ("name", json!(""), "invalid_peer_name"),
        ];
        for (field, value, code) in cases {
            let mut body = pin_body(&a, A, 600);
            body[field] = value;
            let r = b.post("/api/v1/federation/peers", &b.admin, &body).await;
            assert_eq!(
                (r.status, r.error().1),
                (422, Some(field)),
                "{field}: {:?}",
                r.body
            );
            if !code.is_empty() {
                assert_eq!(r.error().0, code);
            }
        }
        assert!(
            b.get("/api/v1/federation/peers", &b.admin).await.body["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn two_pins_of_one_region_at_once_keep_one() {
    two_regions(|a, b| async move {
        // Offline peers (no URL): the race is on the pin alone.
        let mut body = pin_body(&a, A, 600);
        body.as_object_mut().unwrap().remove("url");
        let post = || b.post("/api/v1/federation/peers", &b.admin, &body);
        let (r1, r2) = tokio::join!(post(), post());
        let mut statuses = [r1.status, r2.status];
        statuses.sort();
        assert_eq!(statuses, [201, 409], "{:?} {:?}", r1.body, r2.body);
        let lost = if r1.status == 409 { &r1 } else { &r2 };
        assert_eq!(lost.error(), ("peer_exists", Some("region_code")));
        assert_eq!(b.store.peers().await.unwrap().len(), 1);
        // An offline peer is not refreshed from a URL.
        let id = b.store.peers().await.unwrap()[0].peer.id.clone();
        let r = b
            .post(
                &format!("/api/v1/federation/peers/{id}/refresh"),
                &b.admin,
                &json!(null),
            )
            .await;
        assert_eq!((r.status, r.error().0), (409, "peer_has_no_url"));
    })
    .await;
}

#[tokio::test]
async fn racing_fetches_keep_the_newest_lists() {
    two_regions(|a, b| async move {
        let mut body = pin_body(&a, A, 600);
        body.as_object_mut().unwrap().remove("url");
        let r = b.post("/api/v1/federation/peers", &b.admin, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        let uri = "urn:zhengka:440000:status-list:1".to_owned();
        let fetch = |n: i64| zhengka_store::PeerFetch {
            trust_list: Some((format!("list-{n}"), n)),
            status_lists: vec![zhengka_store::PeerStatusList {
                uri: uri.clone(),
                token: format!("token-{n}"),
                iat: 1_000 + n,
                fetched_at: Utc::now(),
            }],
        };
        // Ten fetches at once, the newest started first: the older ones that
        // commit after it do not replace its lists.
        let writes = (1..=10).rev().map(|n| {
            let (store, id, f) = (b.store.clone(), id.clone(), fetch(n));
            tokio::spawn(async move {
                let w = zhengka_store::Write::new(test_audit());
                store
                    .record_peer_fetch(&id, &f, Utc::now(), w)
                    .await
                    .unwrap()
            })
        });
        for w in writes.collect::<Vec<_>>() {
            w.await.unwrap();
        }
        let kept = b.store.peer(&id).await.unwrap();
        assert_eq!(kept.trust_list, Some(("list-10".into(), 10)));
        let lists = b.store.peer_status_lists(&id).await.unwrap();
        assert_eq!(
            (lists.len(), lists[0].token.as_str(), lists[0].iat),
            (1, "token-10", 1_010)
        );
    })
    .await;
}

#[tokio::test]
async fn the_refresh_job_fetches_each_peer_half_its_maximum_age_after_the_last() {
    two_regions(|a, b| async move {
        let c = a.card_cast().await;
        let (permit, qr) = notice(&a, &c.agent, &c.officer, "FD0000004").await;
        let police = b.user("police.sh", "police_officer", None, Some(B)).await;
        let r = b
            .post("/api/v1/federation/peers", &b.admin, &pin_body(&a, A, 600))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let form = json!({ "kind": "cancellation", "permit_number": permit,
                           "cancellation": { "employment_ended_on": Utc::now().date_naive() } });
        a.approve(&c.agent, &c.officer, &form).await;
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        // B's job on another instance: not due yet, then due 300 s on.
        let state = b.another_state().await;
        let now = Utc::now();
        assert_eq!(
            zhengka_server::jobs::refresh_peers(&state, now)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            verify_at(&b, &police, &qr, "notice").await["valid"],
            json!(true)
        );
        let later = now + chrono::Duration::seconds(301);
        assert_eq!(
            zhengka_server::jobs::refresh_peers(&state, later)
                .await
                .unwrap(),
            1
        );
        past_recheck().await;
        let v = verify_at(&b, &police, &qr, "notice").await;
        assert_eq!(v, json!({ "valid": false, "reason": "revoked" }));
        let actors: Vec<String> = b
            .audit_events_all()
            .await
            .into_iter()
            .filter(|e| e.action == "federation.peer_refreshed")
            .map(|e| e.actor)
            .collect();
        assert!(
            actors.iter().any(|a| a == "system:federation"),
            "{actors:?}"
        );
    })
    .await;
}
