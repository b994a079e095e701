//! The holder's devices: binding a device key gets the card credential bound
//! to it (`cnf`), whose presentations verify offline against the served
//! trust list and status list 3 until the card is frozen, the permit is
//! suspended or ends, or the device is revoked; bad keys, other holders'
//! devices, the limit, the same key twice, and two bindings at once.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};
use zhengka_credential::claims::cnf;
use zhengka_credential::{
    Algorithm, Body, Purpose, Rejection, SigningKey, StatusList, TrustList, Verified, present,
    verify,
};

use crate::card_side::Cast;
use crate::helpers::*;

/// A fresh ES256 device key and its COSE_Key in base64, as the page sends it.
pub fn device_key() -> (SigningKey, String) {
    let key = SigningKey::generate(Algorithm::Es256).unwrap();
    let cose = STANDARD.encode(cnf::encode_key(key.public_key()));
    (key, cose)
}

impl TestApp {
    pub async fn bind(&self, token: &str, public_key: &str, name: &str) -> Response {
        let body = json!({ "public_key": public_key, "name": name });
        self.post("/api/v1/ecard/devices", token, &body).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.request(Method::DELETE, path, token, None, &[]).await
    }

    /// The served trust list and device status list (3), as a verifier
    /// downloads them.
    pub async fn device_lists(&self) -> (TrustList, StatusList) {
        let now = Utc::now().timestamp();
        let trust =
            TrustList::from_signed(&self.bytes("/api/v1/trust-list").await, &self.anchor, now)
                .unwrap();
        let list =
            StatusList::from_token(&self.bytes("/api/v1/status-lists/3").await, &trust).unwrap();
        (trust, list)
    }

    /// A fresh presentation of `bound`'s card credential by `key`, verified
    /// offline now.
    pub async fn present_and_verify(
        &self,
        bound: &Value,
        key: &SigningKey,
    ) -> Result<Verified, Rejection> {
        let (trust, list) = self.device_lists().await;
        let now = Utc::now().timestamp();
        let cose = STANDARD
            .decode(bound["card_credential"]["cose"].as_str().unwrap())
            .unwrap();
        let qr = present(&cose, key, now).unwrap().qr;
        verify(&qr, &trust, Some(&list), now, Purpose::Presentation)
    }

    /// A registered holder of a fresh permit, with a card issued at the
    /// window: (permit record, holder token, card number).
    pub async fn holder_with_card(&self, c: &Cast, passport: &str) -> (Value, String, String) {
        let permit = self.holder(c, passport, None).await;
        let enrolled = self.enrol(c, &permit).await;
        assert_eq!(enrolled.status, 201, "{:?}", enrolled.body);
        let ssn = enrolled.body["ssn"].as_str().unwrap();
        let body = json!({ "ssn": ssn, "bank_code": "BOC", "pickup": "service_hall" });
        let r = self.post("/api/v1/cards", &c.card, &body).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let card = r.body["card_number"].as_str().unwrap().to_owned();
        let issued = json!({ "type": "issued_at_window", "chip_serial": format!("CHIP{}", &passport[2..]),
                             "bank_account": "5555555555554444" });
        let r = self.card_event(c, &card, issued).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let token = self.registered_holder(&permit).await;
        (permit, token, card)
    }

    async fn audit_count_of(&self, action: &str) -> usize {
        let all = self.audit_actions().await;
        all.iter().filter(|a| *a == action).count()
    }
}

#[tokio::test]
async fn a_bound_device_presents_until_the_card_is_frozen() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, token, card) = app.holder_with_card(&c, "DV0000001").await;
        let (key, public) = device_key();
        let bound = app.bind(&token, &public, "Anna's phone").await;
        assert_eq!(bound.status, 201, "{:?}", bound.body);
        let b = &bound.body;
        assert_eq!(b["credential_status"], "valid");
        let uri = b["card_credential"]["status"]["uri"].as_str().unwrap();
        assert_eq!(uri, "urn:zhengka:440000:status-list:3");
        let valid_to = permit["valid_to"].as_str().unwrap();
        let end =
            chrono::NaiveDate::parse_from_str(valid_to, "%Y-%m-%d").unwrap() + chrono::Days::new(1);
        let exp: chrono::DateTime<Utc> = b["card_credential"]["exp"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            exp,
            end.and_hms_opt(0, 0, 0).unwrap().and_utc(),
            "until the permit's last day ends"
        );

        // The credential itself installs (card_install) and is bound to the key.
        let (trust, list) = app.device_lists().await;
        let now = Utc::now().timestamp();
        let installed = verify(
            b["card_credential"]["qr"].as_str().unwrap(),
            &trust,
            Some(&list),
            now,
            Purpose::CardInstall,
        )
        .unwrap();
        let Body::Card {
            facts,
            device_key: bound_key,
        } = &installed.claims.body
        else {
            panic!("a card")
        };
        assert_eq!(bound_key, key.public_key());
        assert_eq!(
            facts.permit_number,
            permit["permit_number"].as_str().unwrap()
        );
        assert_eq!(facts.holder_name, permit["holder_name"].as_str().unwrap());
        assert_eq!(facts.valid_to, valid_to);
        assert_eq!(installed.claims.exp, Some(exp.timestamp()));

        let v = app.present_and_verify(b, &key).await.unwrap();
        assert_eq!(v.status, zhengka_credential::StatusCheck::Valid);
        // A presentation signed by another key does not verify.
        let (other, _) = device_key();
        assert_eq!(
            app.present_and_verify(b, &other).await.unwrap_err(),
            Rejection::BadSignature
        );

        // The police verify it online as well (list 3 beside list 1).
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let cose = STANDARD
            .decode(b["card_credential"]["cose"].as_str().unwrap())
            .unwrap();
        let qr = present(&cose, &key, Utc::now().timestamp()).unwrap().qr;
        let online = app
            .post(
                "/api/v1/verifications",
                &police,
                &json!({ "qr": qr, "purpose": "presentation", "reason": "identity check" }),
            )
            .await;
        assert_eq!(online.body["valid"], true, "{:?}", online.body);

        // Lost: the card is frozen at once, and once the outbox has run the
        // device's credential is suspended.
        let r = app.card_event(&c, &card, json!({ "type": "lost" })).await;
        assert_eq!(r.body["card"]["status"], "frozen");
        app.dispatch().await;
        assert_eq!(
            app.present_and_verify(b, &key).await.unwrap_err(),
            Rejection::Suspended
        );
        let qr = present(&cose, &key, Utc::now().timestamp()).unwrap().qr;
        let online = app
            .post(
                "/api/v1/verifications",
                &police,
                &json!({ "qr": qr, "purpose": "presentation", "reason": "identity check" }),
            )
            .await;
        assert_eq!(online.body["reason"], "suspended", "{:?}", online.body);
        let listed = app.get("/api/v1/ecard/devices", &token).await;
        assert_eq!(listed.body["items"][0]["credential_status"], "suspended");
        let id = b["device_id"].as_str().unwrap();
        let again = app
            .get(&format!("/api/v1/ecard/devices/{id}/credential"), &token)
            .await;
        assert_eq!(
            (again.status, again.body["credential_status"].as_str()),
            (200, Some("suspended"))
        );

        // The same events delivered again change nothing more.
        let changes = app.audit_count_of("ecard.device_credentials_changed").await;
        assert_eq!(changes, 1);
        app.dispatch().await;
        assert_eq!(
            app.audit_count_of("ecard.device_credentials_changed").await,
            changes
        );

        // Unfrozen: valid again.
        let r = app
            .card_event(&c, &card, json!({ "type": "unfrozen" }))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        app.dispatch().await;
        assert!(app.present_and_verify(b, &key).await.is_ok());
        let bound_events = app.audit_count_of("ecard.device_bound").await;
        assert_eq!(bound_events, 1);
    })
    .await;
}

#[tokio::test]
async fn bad_keys_and_names_are_refused_on_their_field() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "DV0000002", None).await;
        let token = app.registered_holder(&permit).await;
        let (key, good) = device_key();
        let raw = cnf::encode_key(key.public_key());
        let ed = SigningKey::generate(Algorithm::EdDsa).unwrap();
        let sm2 = SigningKey::generate(Algorithm::Sm2Sm3).unwrap();
        let mut off_curve = raw.clone();
        let last = off_curve.len() - 1;
        off_curve[last] ^= 1;
        let mut extra = raw.clone();
        extra[0] = 0xa6;
        extra.extend_from_slice(&[0x02, 0x41, 0x00]);
        let mut p384 = raw.clone();
        p384[6] = 0x02;
        let mut trailing = raw.clone();
        trailing.push(0x00);
        let b64 = |b: &[u8]| STANDARD.encode(b);
        let cases = [
            ("not base64!".to_owned(), "invalid_base64"),
            (String::new(), "invalid_cose_key"),
            (b64(b"\xa0"), "invalid_cose_key"),
            (b64(&[0x40]), "invalid_cose_key"),
            (b64(&off_curve), "not_on_curve"),
            (b64(&extra), "invalid_cose_key"),
            (b64(&p384), "invalid_cose_key"),
            (b64(&trailing), "invalid_cose_key"),
            (b64(&raw[..raw.len() - 1]), "invalid_cose_key"),
            (b64(&cnf::encode_key(ed.public_key())), "unsupported_key"),
            (b64(&cnf::encode_key(sm2.public_key())), "unsupported_key"),
            ("A".repeat(2000), "too_long"),
        ];
        for (public_key, code) in cases {
            let r = app.bind(&token, &public_key, "Phone").await;
            assert_eq!(
                (r.status, r.error()),
                (422, (code, Some("public_key"))),
                "{public_key:.40}: {:?}",
                r.body
            );
        }
        for name in ["", "   ", "a\u{7}b", &"x".repeat(61)] {
            let r = app.bind(&token, &good, name).await;
            assert_eq!((r.status, r.error().1), (422, Some("name")), "{name:?}");
        }
        let r = app
            .post(
                "/api/v1/ecard/devices",
                &token,
                &json!({ "public_key": good, "name": "Phone", "alg": -7 }),
            )
            .await;
        assert_eq!(r.status, 422, "unknown fields refused: {:?}", r.body);
        // URL-safe base64 without padding is the same key.
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&raw);
        let r = app.bind(&token, &url_safe, "Phone").await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        // Staff and the public have no devices.
        let r = app.bind(&c.agent, &good, "Phone").await;
        assert_eq!(r.status, 403);
        let r = app.bind("", &good, "Phone").await;
        assert_eq!(r.status, 401);
        assert_eq!(app.get("/api/v1/ecard/devices", &c.card).await.status, 403);
    })
    .await;
}

#[tokio::test]
async fn another_holders_device_is_not_found_and_revoking_is_for_good() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "DV0000003", None).await;
        let token = app.registered_holder(&permit).await;
        let other = app.holder(&c, "DV0000004", None).await;
        let other_token = app.registered_holder(&other).await;
        let (key, public) = device_key();
        let bound = app.bind(&token, &public, "Phone").await.body;
        let id = bound["device_id"].as_str().unwrap();
        let path = format!("/api/v1/ecard/devices/{id}");
        for r in [
            app.get(&format!("{path}/credential"), &other_token).await,
            app.delete(&path, &other_token).await,
            app.get("/api/v1/ecard/devices/no-such-device/credential", &token)
                .await,
        ] {
            assert_eq!(r.status, 404, "{:?}", r.body);
        }
        let theirs = app.get("/api/v1/ecard/devices", &other_token).await;
        assert_eq!(theirs.body["items"], json!([]));
        assert!(app.present_and_verify(&bound, &key).await.is_ok());

        let r = app.delete(&path, &token).await;
        assert_eq!(r.status, 204, "{:?}", r.body);
        assert_eq!(
            app.present_and_verify(&bound, &key).await.unwrap_err(),
            Rejection::Revoked
        );
        let r = app.delete(&path, &token).await;
        assert_eq!(r.status, 204, "revoking again changes nothing");
        assert_eq!(app.audit_count_of("ecard.device_revoked").await, 1);
        let r = app.get(&format!("{path}/credential"), &token).await;
        assert_eq!((r.status, r.error().0), (409, "device_revoked"));
        let r = app.bind(&token, &public, "Phone").await;
        assert_eq!((r.status, r.error().0), (409, "device_key_revoked"));
        let listed = app.get("/api/v1/ecard/devices", &token).await.body;
        assert_eq!(listed["items"][0]["credential_status"], "revoked");
        assert!(listed["items"][0]["revoked_at"].is_string());
        assert_eq!(listed["remaining"], 5);
        // A new key binds the device again, with an index of its own.
        let (_, fresh) = device_key();
        let again = app.bind(&token, &fresh, "Phone").await;
        assert_eq!(again.status, 201);
        assert_ne!(
            again.body["card_credential"]["status"]["idx"],
            bound["card_credential"]["status"]["idx"]
        );
    })
    .await;
}

#[tokio::test]
async fn five_devices_at_most_and_the_same_key_is_one_device() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "DV0000005", None).await;
        let token = app.registered_holder(&permit).await;
        let mut ids = Vec::new();
        for i in 0..5 {
            let (_, public) = device_key();
            let r = app.bind(&token, &public, &format!("Device {i}")).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
            ids.push(r.body["device_id"].as_str().unwrap().to_owned());
            if i == 0 {
                let again = app.bind(&token, &public, "Another name").await;
                assert_eq!(again.status, 200, "the same key: that device");
                assert_eq!(again.body["device_id"], r.body["device_id"]);
            }
        }
        let (_, sixth) = device_key();
        let r = app.bind(&token, &sixth, "Sixth").await;
        assert_eq!((r.status, r.error().0), (409, "too_many_devices"));
        app.delete(&format!("/api/v1/ecard/devices/{}", ids[2]), &token)
            .await;
        let r = app.bind(&token, &sixth, "Sixth").await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let listed = app.get("/api/v1/ecard/devices", &token).await.body;
        assert_eq!(listed["items"].as_array().unwrap().len(), 6);
        assert_eq!(listed["remaining"], 0);
        assert_eq!(app.audit_count_of("ecard.device_bound").await, 6);
    })
    .await;
}

#[tokio::test]
async fn the_credential_follows_the_permit() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "DV0000006", None).await;
        let number = permit["permit_number"].as_str().unwrap().to_owned();
        let token = app.registered_holder(&permit).await;
        let (key, public) = device_key();
        let bound = app.bind(&token, &public, "Phone").await.body;
        let id = bound["device_id"].as_str().unwrap();

        // An extension changes the facts: the old credential is revoked (its
        // index retired) and the device fetches the new one.
        let start = Utc::now().date_naive() + chrono::Days::new(20);
        let extension = json!({ "kind": "extension", "permit_number": number,
            "contract": { "start_date": start, "end_date": start + chrono::Days::new(1500),
                          "annual_salary_cny": 300000, "work_location_region": "440106" },
            "scoring": { "education": "doctorate", "related_experience_years": 10,
                         "months_per_year_in_china": 12, "chinese_language": "hsk3" } });
        app.approve(&c.agent, &c.officer, &extension).await;
        app.dispatch().await;
        assert_eq!(
            app.present_and_verify(&bound, &key).await.unwrap_err(),
            Rejection::Revoked
        );
        let renewed = app
            .get(&format!("/api/v1/ecard/devices/{id}/credential"), &token)
            .await;
        assert_eq!(renewed.status, 200, "{:?}", renewed.body);
        let renewed = renewed.body;
        assert_eq!(renewed["credential_status"], "valid");
        assert_ne!(
            renewed["card_credential"]["status"]["idx"],
            bound["card_credential"]["status"]["idx"]
        );
        let v = app.present_and_verify(&renewed, &key).await.unwrap();
        let Body::Card { facts, .. } = &v.claims.body else {
            panic!("a card")
        };
        let extended = app
            .get(&format!("/api/v1/permits/{number}"), &c.agent)
            .await
            .body;
        assert_eq!(facts.valid_to, extended["valid_to"].as_str().unwrap());
        assert_ne!(facts.valid_to, permit["valid_to"].as_str().unwrap());
        let listed = app.get("/api/v1/ecard/devices", &token).await.body;
        assert_eq!(
            listed["items"].as_array().unwrap().len(),
            1,
            "the retired index is no device"
        );

        // Cancelled: revoked, and no device is bound for an ended permit.
        app.cancel(&c, &number).await;
        app.dispatch().await;
        assert_eq!(
            app.present_and_verify(&renewed, &key).await.unwrap_err(),
            Rejection::Revoked
        );
        let listed = app.get("/api/v1/ecard/devices", &token).await.body;
        assert_eq!(listed["items"][0]["credential_status"], "revoked");
        let (_, fresh) = device_key();
        let r = app.bind(&token, &fresh, "Tablet").await;
        assert_eq!((r.status, r.error().0), (409, "permit_not_valid"));
    })
    .await;
}

#[tokio::test]
async fn two_bindings_at_once_keep_the_key_once_and_the_limit() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "DV0000007", None).await;
        let token = app.registered_holder(&permit).await;
        let (_, public) = device_key();
        let (a, b) = tokio::join!(
            app.bind(&token, &public, "Phone"),
            app.bind(&token, &public, "Phone")
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [200, 201], "{:?} {:?}", a.body, b.body);
        assert_eq!(a.body["device_id"], b.body["device_id"]);
        for i in 0..3 {
            let (_, k) = device_key();
            assert_eq!(app.bind(&token, &k, &format!("D{i}")).await.status, 201);
        }
        // Four bound: two more at once, one wins.
        let (_, k1) = device_key();
        let (_, k2) = device_key();
        let (a, b) = tokio::join!(app.bind(&token, &k1, "E1"), app.bind(&token, &k2, "E2"));
        let mut outcome = [
            (a.status, a.error().0.to_owned()),
            (b.status, b.error().0.to_owned()),
        ];
        outcome.sort();
        assert_eq!(outcome[0].0, 201, "{outcome:?}");
        assert_eq!(outcome[1], (409, "too_many_devices".to_owned()));
        let listed = app.get("/api/v1/ecard/devices", &token).await.body;
        assert_eq!(listed["items"].as_array().unwrap().len(), 5);
    })
    .await;
}

#[tokio::test]
async fn a_state_the_subscriber_missed_is_set_when_the_credential_is_fetched() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_, token, card) = app.holder_with_card(&c, "DV0000008").await;
        let (key, public) = device_key();
        let bound = app.bind(&token, &public, "Phone").await.body;
        let id = bound["device_id"].as_str().unwrap();
        app.card_event(&c, &card, json!({ "type": "lost" })).await;
        app.dispatch().await;
        // As if the loss had been handled while the device was being bound.
        let raw = app.raw().await;
        sqlx::query("UPDATE ecard_devices SET credential_status = 'valid' WHERE id = $1")
            .bind(id)
            .execute(&raw)
            .await
            .unwrap();
        assert!(app.present_and_verify(&bound, &key).await.is_ok());
        let fetched = app
            .get(&format!("/api/v1/ecard/devices/{id}/credential"), &token)
            .await;
        assert_eq!(fetched.body["credential_status"], "suspended");
        assert_eq!(
            app.present_and_verify(&bound, &key).await.unwrap_err(),
            Rejection::Suspended
        );
    })
    .await;
}
