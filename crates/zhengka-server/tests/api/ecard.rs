//! E-card registration: each identifier kind, the one refusal for every wrong
//! detail, the limits, the real-person step against the fake provider (pass,
//! fail, outage), signing in by permit number or SSN, the holder's e-card
//! equal to the permit record, password reset and closing an account.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fake_provider::probe;
use crate::helpers::*;

pub const HOLDER_PASSWORD: &str = "holder password 1234";

impl TestApp {
    /// A public request from the client address `source`.
    pub async fn public(&self, path: &str, source: &str, body: &Value) -> Response {
        self.request(
            Method::POST,
            path,
            "",
            Some(body),
            &[("x-forwarded-for", source)],
        )
        .await
    }

    pub async fn start_registration(&self, source: &str, body: Value) -> Response {
        let mut body = body;
        if body.get("password").is_none() {
            body["password"] = json!(HOLDER_PASSWORD);
        }
        self.public("/api/v1/ecard/registrations", source, &body)
            .await
    }

    pub async fn real_person(&self, registration: &str, case: &str) -> Response {
        let path = format!("/api/v1/ecard/registrations/{registration}/real-person");
        self.public(&path, "198.51.100.1", &json!({ "image": probe(case) }))
            .await
    }

    /// Register the holder of `permit` by permit number and pass the
    /// real-person step; returns the holder's token.
    pub async fn registered_holder(&self, permit: &Value) -> String {
        let r = self
            .start_registration(
                "198.51.100.1",
                json!({ "name": permit["holder_name"], "permit_number": permit["permit_number"] }),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["registration_id"].as_str().unwrap().to_owned();
        let passed = self.real_person(&id, "pass").await;
        assert_eq!(passed.status, 201, "{:?}", passed.body);
        self.holder_login(permit["permit_number"].as_str().unwrap(), HOLDER_PASSWORD)
            .await
    }

    pub async fn audit_events_all(&self) -> Vec<zhengka_store::AuditEvent> {
        use zhengka_store::prelude::*;
        let f = zhengka_store::AuditFilter {
            limit: 100_000,
            ..Default::default()
        };
        self.store.audit_events(&f).await.unwrap()
    }

    pub async fn audit_actions(&self) -> Vec<String> {
        let all = self.audit_events_all().await;
        all.into_iter().map(|e| e.action).collect()
    }

    pub async fn audit_details(&self) -> Vec<Value> {
        let all = self.audit_events_all().await;
        all.into_iter()
            .map(|e| json!([e.entity_id, e.details]))
            .collect()
    }

    pub async fn holder_login(&self, username: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/sessions",
                "",
                &json!({ "username": username, "password": password }),
            )
            .await;
        assert_eq!(r.status, 201, "holder sign-in: {:?}", r.body);
        assert_eq!(r.body["role"], "foreigner");
        r.body["token"].as_str().unwrap().to_owned()
    }
}

/// A well-formed SSN no account has.
fn unknown_ssn() -> String {
    let region = "440106".parse().unwrap();
    zhengka_domain::social_security::Ssn::assign(&region, 1_234_567_890)
        .expose()
        .to_owned()
}

#[tokio::test]
async fn a_holder_registers_by_permit_number_and_sees_the_permit_as_on_its_record() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000001", None).await;
        let n = permit["permit_number"].as_str().unwrap();
        let typed = permit["holder_name"].as_str().unwrap().to_lowercase();
        let r = app
            .start_registration(
                "198.51.100.7",
                json!({ "name": format!("  {typed} "), "permit_number": n.to_lowercase(), "lang": "en" }),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["status"], "awaiting_real_person");
        assert!(r.body["expires_at"].is_string());
        let id = r.body["registration_id"].as_str().unwrap();
        let passed = app.real_person(id, "pass").await;
        assert_eq!(passed.status, 201, "{:?}", passed.body);
        assert_eq!(passed.body["real_person"], "provider");
        let again = app.real_person(id, "pass").await;
        assert_eq!((again.status, again.error().0), (409, "registration_closed"));

        let token = app.holder_login(n, HOLDER_PASSWORD).await;
        let card = app.get("/api/v1/ecard", &token).await;
        assert_eq!(card.status, 200, "{:?}", card.body);
        assert_eq!(card.body["permit"], permit, "the e-card shows the permit record");
        assert_eq!(card.body["holder"]["real_person"], "provider");
        assert_eq!(card.body["social_security"], Value::Null);
        // Staff endpoints stay closed to the holder.
        let staff = app.get(&format!("/api/v1/permits/{n}"), &token).await;
        assert_eq!(staff.status, 403);
        let events = app.audit_actions().await;
        assert!(events.contains(&"ecard.registration_started".to_owned()));
        assert!(events.contains(&"ecard.holder_registered".to_owned()));
    })
    .await;
}

#[tokio::test]
async fn an_ssn_or_a_notice_qr_identifies_the_permit_too() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let by_ssn = app.holder(&c, "EC0000002", None).await;
        let enrolled = app.enrol(&c, &by_ssn).await;
        let ssn = enrolled.body["ssn"].as_str().unwrap().to_owned();
        let r = app
            .start_registration(
                "198.51.100.8",
                json!({ "name": by_ssn["holder_name"], "ssn": ssn }),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let passed = app
            .real_person(r.body["registration_id"].as_str().unwrap(), "pass")
            .await;
        assert_eq!(passed.status, 201, "{:?}", passed.body);
        // The SSN signs in as well as the permit number.
        let token = app.holder_login(&ssn, HOLDER_PASSWORD).await;
        let card = app.get("/api/v1/ecard", &token).await;
        let shown = card.body["social_security"]["ssn"].as_str().unwrap();
        assert!(shown.contains('*') && shown != ssn, "masked: {shown}");
        let full = app.get("/api/v1/ecard/ssn", &token).await;
        assert_eq!(full.body["ssn"], ssn.as_str());

        let approved = app
            .approve(&c.agent, &c.officer, &new_from_abroad("EC0000003"))
            .await;
        let id = approved["id"].as_str().unwrap();
        let n = approved["permit_number"].as_str().unwrap();
        let by_qr = app
            .get(&format!("/api/v1/permits/{n}"), &c.agent)
            .await
            .body;
        let notice = app
            .get(&format!("/api/v1/applications/{id}/notice"), &c.agent)
            .await;
        let r = app
            .start_registration(
                "198.51.100.8",
                json!({ "name": by_qr["holder_name"], "notice_qr": notice.body["qr"] }),
            )
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
    })
    .await;
}

#[tokio::test]
async fn every_wrong_detail_gets_the_same_refusal() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000004", None).await;
        let n = permit["permit_number"].as_str().unwrap().to_owned();
        let name = permit["holder_name"].clone();
        let cancelled = app.holder(&c, "EC0000005", None).await;
        app.cancel(&c, cancelled["permit_number"].as_str().unwrap())
            .await;
        let registered = app.holder(&c, "EC0000006", None).await;
        app.registered_holder(&registered).await;
        let unknown_ssn = unknown_ssn();
        let before = app.audit_count().await;
        let cases = [
            json!({ "name": "SOMEONE ELSE", "permit_number": n }),
            json!({ "name": name, "permit_number": "4401000000000009999" }),
            json!({ "name": name, "ssn": unknown_ssn }),
            json!({ "name": name, "notice_qr": "ZK1:NOTAQR" }),
            json!({ "name": cancelled["holder_name"], "permit_number": cancelled["permit_number"] }),
            json!({ "name": registered["holder_name"], "permit_number": registered["permit_number"] }),
        ];
        let mut answers = Vec::new();
        for (i, case) in cases.into_iter().enumerate() {
            let r = app
                .start_registration(&format!("203.0.113.{i}"), case)
                .await;
            answers.push((r.status, r.body));
        }
        for a in &answers {
            assert_eq!(a, &answers[0], "one answer for every refusal");
        }
        assert_eq!(answers[0].0, 422);
        assert_eq!(answers[0].1["error"]["code"], "registration_refused");
        assert_eq!(answers[0].1["error"]["field"], Value::Null);
        assert_eq!(app.audit_count().await, before + 6, "each refusal audited");
        let audit = serde_json::to_string(&app.audit_details().await).unwrap();
        assert!(!audit.contains(HOLDER_PASSWORD), "no password in the audit");
        assert!(!audit.contains(&unknown_ssn), "no typed SSN kept");
    })
    .await;
}

#[tokio::test]
async fn malformed_requests_say_which_field() {
    each_backend(|app| async move {
        let cases = [
            (json!({ "name": "A B" }), "permit_number", "one_identifier_required"),
            (
                json!({ "name": "A B", "permit_number": "4401000000000000001", "ssn": "440106912345678909" }),
                "permit_number",
                "one_identifier_required",
            ),
            (json!({ "name": "A B", "permit_number": "44-01" }), "permit_number", "invalid_permit_number_length"),
            (json!({ "name": "", "permit_number": "4401000000000000001" }), "name", "empty_passport_name"),
            (
                json!({ "name": "A B", "permit_number": "4401000000000000001", "password": "short" }),
                "password",
                "password_too_short",
            ),
            (
                json!({ "name": "A B", "permit_number": "4401000000000000001", "lang": "fr" }),
                "lang",
                "unknown_language",
            ),
        ];
        for (body, field, code) in cases {
            let r = app.start_registration("192.0.2.1", body).await;
            assert_eq!((r.status, r.error()), (422, (code, Some(field))), "{:?}", r.body);
        }
        let r = app
            .public("/api/v1/ecard/registrations", "192.0.2.1", &json!({ "name": 1 }))
            .await;
        assert_eq!((r.status, r.error()), (422, ("invalid_type", Some("name"))));
        let r = app.real_person("no-such-registration", "pass").await;
        assert_eq!((r.status, r.error().0), (404, "registration_not_found"));
    })
    .await;
}

#[tokio::test]
async fn five_refusals_lock_the_permit_number_and_the_source() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000007", None).await;
        let n = permit["permit_number"].clone();
        // Five wrong names for one permit number, each from another address.
        for i in 0..5 {
            let r = app
                .start_registration(
                    &format!("203.0.113.{i}"),
                    json!({ "name": "WRONG NAME", "permit_number": n }),
                )
                .await;
            assert_eq!(r.status, 422, "{:?}", r.body);
        }
        let right = json!({ "name": permit["holder_name"], "permit_number": n });
        let r = app.start_registration("203.0.113.99", right.clone()).await;
        assert_eq!((r.status, r.error().0), (429, "too_many_attempts"));
        assert!(r.body["error"]["retry_after"].as_u64().unwrap() > 0);
        // Five unknown numbers from one address lock that address for anything.
        for i in 0..5 {
            let body =
                json!({ "name": "X Y", "permit_number": format!("44010000000000099{i:02}") });
            assert_eq!(app.start_registration("192.0.2.50", body).await.status, 422);
        }
        let other = app.holder(&c, "EC0000008", None).await;
        let body = json!({ "name": other["holder_name"], "permit_number": other["permit_number"] });
        assert_eq!(
            app.start_registration("192.0.2.50", body.clone())
                .await
                .status,
            429
        );
        assert_eq!(app.start_registration("192.0.2.51", body).await.status, 201);
    })
    .await;
}

#[tokio::test]
async fn the_real_person_step_passes_fails_or_waits_for_the_provider() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000009", None).await;
        let r = app
            .start_registration(
                "198.51.100.9",
                json!({ "name": permit["holder_name"], "permit_number": permit["permit_number"] }),
            )
            .await;
        let id = r.body["registration_id"].as_str().unwrap().to_owned();
        for case in ["spoof", "stranger", "blurry"] {
            let r = app.real_person(&id, case).await;
            assert_eq!(
                (r.status, r.error().0),
                (422, "real_person_failed"),
                "{case}"
            );
        }
        for case in ["crash", "garbage", "another", "slow"] {
            let r = app.real_person(&id, case).await;
            assert_eq!(
                (r.status, r.error().0),
                (503, "real_person_unavailable"),
                "{case}"
            );
        }
        let bad = app
            .public(
                &format!("/api/v1/ecard/registrations/{id}/real-person"),
                "198.51.100.9",
                &json!({ "image": "bm90IGFuIGltYWdl" }),
            )
            .await;
        assert_eq!(
            (bad.status, bad.error()),
            (422, ("invalid_image", Some("image")))
        );
        // An outage left it open; three failures so far, under the limit.
        let r = app.real_person(&id, "pass").await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        app.holder_login(permit["permit_number"].as_str().unwrap(), HOLDER_PASSWORD)
            .await;
    })
    .await;
}

#[tokio::test]
async fn failed_real_person_checks_count_like_refusals() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000010", None).await;
        let body =
            json!({ "name": permit["holder_name"], "permit_number": permit["permit_number"] });
        let r = app.start_registration("198.51.100.10", body).await;
        let id = r.body["registration_id"].as_str().unwrap().to_owned();
        for _ in 0..5 {
            assert_eq!(app.real_person(&id, "stranger").await.status, 422);
        }
        let r = app.real_person(&id, "pass").await;
        assert_eq!((r.status, r.error().0), (429, "too_many_attempts"));
    })
    .await;
}

#[tokio::test]
async fn one_person_one_account_until_it_is_closed() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000011", None).await;
        let body =
            json!({ "name": permit["holder_name"], "permit_number": permit["permit_number"] });
        // Two registrations in flight for one person: the second to pass is refused.
        let first = app.start_registration("198.51.100.11", body.clone()).await;
        let second = app.start_registration("198.51.100.12", body.clone()).await;
        let a = first.body["registration_id"].as_str().unwrap().to_owned();
        let b = second.body["registration_id"].as_str().unwrap().to_owned();
        let passed = app.real_person(&a, "pass").await;
        assert_eq!(passed.status, 201);
        let r = app.real_person(&b, "pass").await;
        assert_eq!((r.status, r.error().0), (409, "already_registered"));
        let holder_id = passed.body["holder_id"].as_str().unwrap().to_owned();
        let n = permit["permit_number"].as_str().unwrap();
        let token = app.holder_login(n, HOLDER_PASSWORD).await;
        let closed = app
            .post(
                &format!("/api/v1/ecard/holders/{holder_id}/close"),
                &token,
                &json!({}),
            )
            .await;
        assert_eq!(closed.status, 204, "{:?}", closed.body);
        assert_eq!(
            app.get("/api/v1/ecard", &token).await.status,
            401,
            "sessions ended"
        );
        // Registered anew, signing in as the new account.
        let token = app.registered_holder(&permit).await;
        assert_eq!(app.get("/api/v1/ecard", &token).await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn a_password_reset_needs_a_fresh_real_person_check() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000012", None).await;
        let old = app.registered_holder(&permit).await;
        let n = permit["permit_number"].as_str().unwrap();
        let body = json!({ "name": permit["holder_name"], "permit_number": n,
                           "password": "a brand new password" });
        let r = app
            .public("/api/v1/ecard/password-resets", "198.51.100.13", &body)
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["registration_id"].as_str().unwrap();
        assert_eq!(app.real_person(id, "stranger").await.status, 422);
        let ok = app.real_person(id, "pass").await;
        assert_eq!(ok.status, 201, "{:?}", ok.body);
        assert_eq!(ok.body["password_reset"], true);
        assert_eq!(
            app.get("/api/v1/ecard", &old).await.status,
            401,
            "old sessions end"
        );
        app.holder_login(n, "a brand new password").await;
        // Nobody resets an account that does not exist: the one refusal.
        let other = app.holder(&c, "EC0000013", None).await;
        let body = json!({ "name": other["holder_name"], "permit_number": other["permit_number"],
                           "password": "a brand new password" });
        let r = app
            .public("/api/v1/ecard/password-resets", "198.51.100.13", &body)
            .await;
        assert_eq!((r.status, r.error().0), (422, "registration_refused"));
    })
    .await;
}

#[tokio::test]
async fn over_age_holders_register_like_everyone_else() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let mut form = new_from_abroad("EC0000014");
        form["foreigner"]["date_of_birth"] = json!("1958-02-01");
        let permit = app.holder(&c, "EC0000014", Some(form)).await;
        let enrolled = app.enrol(&c, &permit).await;
        assert_eq!(enrolled.body["over_age"], true);
        let token = app.registered_holder(&permit).await;
        let card = app.get("/api/v1/ecard", &token).await;
        assert_eq!(card.body["social_security"]["over_age"], true);
        assert_eq!(
            card.body["social_security"]["excluded"],
            json!([{ "kind": "pension", "reason": "over_age" }])
        );
    })
    .await;
}

#[tokio::test]
async fn a_holder_may_add_totp_and_a_reset_takes_it_off_with_the_lost_phone() {
    each_backend(|app| async move {
        use zhengka_server::auth::totp;
        let c = app.card_cast().await;
        let permit = app.holder(&c, "EC0000015", None).await;
        let token = app.registered_holder(&permit).await;
        let n = permit["permit_number"].as_str().unwrap();
        let enrol = app
            .post("/api/v1/users/me/totp", &token, &json!(null))
            .await;
        assert_eq!(enrol.status, 201, "{:?}", enrol.body);
        let secret = crate::totp::secret_of(&enrol.body);
        let now = crate::totp::step_start_time().await;
        let previous = format!("{:06}", totp::code(&secret, totp::step_at(now) - 1));
        let ok = app
            .post(
                "/api/v1/users/me/totp/confirm",
                &token,
                &json!({ "code": previous }),
            )
            .await;
        assert_eq!(ok.status, 200, "{:?}", ok.body);
        let creds = json!({ "username": n, "password": HOLDER_PASSWORD });
        let r = app.post("/api/v1/sessions", "", &creds).await;
        assert_eq!((r.status, r.error().0), (401, "totp_required"));
        // The phone is lost: a reset through a fresh real-person check.
        let body = json!({ "name": permit["holder_name"], "permit_number": n,
                           "password": "after the lost phone" });
        let r = app
            .public("/api/v1/ecard/password-resets", "198.51.100.14", &body)
            .await;
        let id = r.body["registration_id"].as_str().unwrap();
        assert_eq!(app.real_person(id, "pass").await.status, 201);
        app.holder_login(n, "after the lost phone").await;
    })
    .await;
}
