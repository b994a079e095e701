//! Purpose-bound checks: the police, a hospital and a transit gate each
//! verify the same holder's live QR and see only their purpose's fields; the
//! holder reads all three in their log; unregistered purposes, wrong ways of
//! showing the holder and replays are refused; share codes work once; a
//! relying party records a service use against its own valid check.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};
use zhengka_credential::{SigningKey, present};

use crate::card_side::Cast;
use crate::ecard_devices::device_key;
use crate::helpers::*;

/// A registered organisation and a fresh API credential's token.
async fn organisation(
    app: &TestApp,
    name: &str,
    sector: &str,
    purposes: &[&str],
) -> (String, String) {
    let body = json!({ "name": name, "sector": sector, "region_code": "440100",
                       "purposes": purposes, "rate_limit_per_minute": 600 });
    let r = app.post("/api/v1/relying-parties", &app.admin, &body).await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/api/v1/relying-parties/{id}/credentials"),
            &app.admin,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    (id, r.body["token"].as_str().unwrap().to_owned())
}

/// A holder with a card and a bound device: (permit, holder token, device
/// key, the card credential's COSE bytes).
async fn holder_with_device(
    app: &TestApp,
    c: &Cast,
    passport: &str,
) -> (Value, String, SigningKey, Vec<u8>) {
    let (permit, token, _card) = app.holder_with_card(c, passport).await;
    let (key, public) = device_key();
    let bound = app.bind(&token, &public, "phone").await;
    assert_eq!(bound.status, 201, "{:?}", bound.body);
    let cose = STANDARD
        .decode(bound.body["card_credential"]["cose"].as_str().unwrap())
        .unwrap();
    (permit, token, key, cose)
}

fn live_qr(cose: &[u8], key: &SigningKey) -> String {
    present(cose, key, Utc::now().timestamp()).unwrap().qr
}

fn field_names(answer: &Value) -> Vec<String> {
    let mut names: Vec<String> = answer["fields"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn police_hospital_and_gate_see_only_their_fields_and_the_holder_sees_all_three() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, holder, key, cose) = holder_with_device(&app, &c, "CK0000001").await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let (_, hospital) = organisation(
            &app,
            "Guangzhou First People's Hospital",
            "healthcare",
            &["healthcare"],
        )
        .await;
        let (_, metro) = organisation(&app, "Guangzhou Metro", "transport", &["transit"]).await;

        let check = |purpose: &str| json!({ "qr": live_qr(&cose, &key), "purpose": purpose });
        let r = app
            .post("/api/v1/verifications", &police, &check("residence_permit"))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        assert_eq!(r.body["valid"], true, "{:?}", r.body);
        assert_eq!(r.body["credential_kind"], "presentation");
        assert_eq!(r.body["fields"]["permit_number"], permit["permit_number"]);
        assert_eq!(r.body["fields"]["passport_number"], "CK0000001");
        assert_eq!(
            field_names(&r.body),
            [
                "date_of_birth",
                "employer_name",
                "employer_uscc",
                "holder_name",
                "nationality",
                "onsite_check",
                "passport_number",
                "permit_class",
                "permit_number",
                "permit_status",
                "position",
                "sex",
                "valid_from",
                "valid_to"
            ]
        );

        let r = app
            .post("/api/v1/verifications", &hospital, &check("healthcare"))
            .await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(true)),
            "{:?}",
            r.body
        );
        assert_eq!(
            field_names(&r.body),
            ["holder_name", "medical_insurance", "ssn"]
        );
        assert_eq!(r.body["fields"]["medical_insurance"], "active");
        assert!(r.body["fields"]["ssn"].as_str().unwrap().len() >= 18);

        let at_gate = check("transit");
        let r = app.post("/api/v1/verifications", &metro, &at_gate).await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(true)),
            "{:?}",
            r.body
        );
        assert_eq!(field_names(&r.body), ["card_status"]);
        // The same QR at the same gate again: a replay, refused and logged.
        let r = app.post("/api/v1/verifications", &metro, &at_gate).await;
        assert_eq!(r.body["valid"], false);
        assert_eq!(r.body["reason"], "replayed_or_stale_presentation");
        assert!(r.body.get("fields").is_none());

        let log = app.get("/api/v1/ecard/verifications", &holder).await;
        assert_eq!(log.status, 200, "{:?}", log.body);
        let items = log.body["items"].as_array().unwrap();
        let seen: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|e| {
                (
                    e["organisation_name"].as_str().unwrap(),
                    e["purpose"].as_str().unwrap(),
                    e["result"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("Guangzhou Metro", "transit", "rejected"),
                ("Guangzhou Metro", "transit", "valid"),
                ("Guangzhou First People's Hospital", "healthcare", "valid"),
                ("police", "residence_permit", "valid"),
            ]
        );
        assert!(items.iter().all(|e| e.get("verifier").is_none()));
        // Paged by cursor, nothing dropped.
        let first = app
            .get("/api/v1/ecard/verifications?limit=3", &holder)
            .await;
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let rest = app
            .get(
                &format!(
                    "/api/v1/ecard/verifications?limit=3&cursor={}",
                    urlencode(&cursor)
                ),
                &holder,
            )
            .await;
        assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
        assert!(rest.body["next_cursor"].is_null());

        // Another holder's log holds none of these; staff have no holder log.
        let (_, other, _, _) = holder_with_device(&app, &c, "CK0000002").await;
        let r = app.get("/api/v1/ecard/verifications", &other).await;
        assert_eq!(r.body["items"], json!([]));
        assert_eq!(
            app.get("/api/v1/ecard/verifications", &police).await.status,
            403
        );
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.replace(':', "%3A")
        .replace('+', "%2B")
        .replace('|', "%7C")
}

#[tokio::test]
async fn purposes_ways_and_identifiers_are_checked_before_anything_is_disclosed() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, _holder, key, cose) = holder_with_device(&app, &c, "CK0000003").await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let (_, hospital) = organisation(&app, "Hospital", "healthcare", &["healthcare"]).await;
        let approved = app
            .approve(&c.agent, &c.officer, &new_from_abroad("CK0000004"))
            .await;
        let id = approved["id"].as_str().unwrap();
        let notice = app
            .get(&format!("/api/v1/applications/{id}/notice"), &c.agent)
            .await;
        let notice_qr = notice.body["qr"].as_str().unwrap().to_owned();
        let live = || live_qr(&cose, &key);
        let number = permit["permit_number"].as_str().unwrap();
        let name = permit["holder_name"].as_str().unwrap();

        let cases: Vec<(&str, Value, u16, &str, Option<&str>)> = vec![
            (
                "not registered",
                json!({ "qr": live(), "purpose": "transit" }),
                403,
                "purpose_not_allowed",
                Some("purpose"),
            ),
            (
                "police purpose",
                json!({ "qr": live(), "purpose": "residence_permit" }),
                403,
                "purpose_not_allowed",
                Some("purpose"),
            ),
            (
                "unknown",
                json!({ "qr": live(), "purpose": "casino" }),
                422,
                "unknown_purpose",
                Some("purpose"),
            ),
            (
                "notice at a hospital",
                json!({ "qr": notice_qr, "purpose": "healthcare" }),
                422,
                "credential_kind_not_allowed",
                Some("qr"),
            ),
            (
                "lookup at a hospital",
                json!({ "permit_number": number, "name": name, "purpose": "healthcare" }),
                422,
                "credential_kind_not_allowed",
                Some("permit_number"),
            ),
            (
                "two ways",
                json!({ "qr": live(), "share_code": "ABCDE-12345", "purpose": "healthcare" }),
                422,
                "one_identifier_required",
                None,
            ),
            (
                "no way",
                json!({ "purpose": "healthcare" }),
                422,
                "one_identifier_required",
                None,
            ),
            (
                "no purpose",
                json!({ "qr": live() }),
                422,
                "required",
                Some("purpose"),
            ),
            (
                "stray field",
                json!({ "qr": live(), "purpose": "healthcare", "fields": ["ssn"] }),
                422,
                "unknown_field",
                Some("fields"),
            ),
        ];
        for (what, body, status, code, field) in cases {
            let r = app.post("/api/v1/verifications", &hospital, &body).await;
            assert_eq!(
                (r.status, r.error()),
                (status, (code, field)),
                "{what}: {:?}",
                r.body
            );
        }

        // The police look a permit up by number and name; a wrong name learns nothing.
        let lookup =
            |n: &str| json!({ "permit_number": number, "name": n, "purpose": "inspection" });
        let r = app
            .post("/api/v1/verifications", &police, &lookup(name))
            .await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(true)),
            "{:?}",
            r.body
        );
        assert_eq!(r.body["credential_kind"], "permit_number");
        assert_eq!(
            field_names(&r.body),
            [
                "holder_name",
                "nationality",
                "permit_number",
                "permit_status",
                "valid_from",
                "valid_to"
            ]
        );
        let r = app
            .post("/api/v1/verifications", &police, &lookup("SOMEONE ELSE"))
            .await;
        assert_eq!(
            (&r.body["valid"], &r.body["reason"]),
            (&json!(false), &json!("name_mismatch"))
        );
        assert!(r.body.get("fields").is_none());
        let body = json!({ "permit_number": number, "purpose": "inspection" });
        let r = app.post("/api/v1/verifications", &police, &body).await;
        assert_eq!((r.status, r.error()), (422, ("required", Some("name"))));
        // Officers who are not police state no purpose.
        let r = app
            .post("/api/v1/verifications", &c.officer, &lookup(name))
            .await;
        assert_eq!((r.status, r.error().0), (403, "purpose_not_allowed"));
        // A forged QR is logged as a refusal, not a 500.
        let body = json!({ "qr": "ZK1:AAAA", "purpose": "residence_permit" });
        let r = app.post("/api/v1/verifications", &police, &body).await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(false)),
            "{:?}",
            r.body
        );
    })
    .await;
}

#[tokio::test]
async fn a_share_code_lets_one_employer_check_the_right_to_work_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_permit, holder, _key, _cose) = holder_with_device(&app, &c, "CK0000005").await;
        let (_, employer) =
            organisation(&app, "Pearl River Robotics", "employer", &["employer_right_to_work"]).await;
        let r = app
            .post("/api/v1/ecard/share-codes", &holder, &json!({ "purpose": "healthcare" }))
            .await;
        assert_eq!((r.status, r.error()), (422, ("share_code_not_used_for_purpose", Some("purpose"))));
        let r = app
            .post("/api/v1/ecard/share-codes", &holder, &json!({ "purpose": "employer_right_to_work" }))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let code = r.body["code"].as_str().unwrap().to_owned();
        assert_eq!(code.len(), 11);

        let typed = json!({ "share_code": code.to_lowercase().replace('-', " "), "purpose": "employer_right_to_work" });
        let r = app.post("/api/v1/verifications", &employer, &typed).await;
        assert_eq!((r.status, &r.body["valid"]), (200, &json!(true)), "{:?}", r.body);
        assert_eq!(
            field_names(&r.body),
            ["holder_name", "permit_class", "permit_status", "valid_from", "valid_to"]
        );
        let r = app.post("/api/v1/verifications", &employer, &typed).await;
        assert_eq!((&r.body["valid"], &r.body["reason"]), (&json!(false), &json!("share_code_used")));
        let unknown = json!({ "share_code": "ZZZZZ-ZZZZZ", "purpose": "employer_right_to_work" });
        let r = app.post("/api/v1/verifications", &employer, &unknown).await;
        assert_eq!(r.body["reason"], "share_code_unknown");
        let garbage = json!({ "share_code": "not a code", "purpose": "employer_right_to_work" });
        let r = app.post("/api/v1/verifications", &employer, &garbage).await;
        assert_eq!((r.status, r.error()), (422, ("invalid_share_code", Some("share_code"))));

        let listed = app.get("/api/v1/ecard/share-codes", &holder).await;
        let items = listed.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        assert!(items[0]["used_at"].is_string());
        assert!(!listed.body.to_string().contains(&code), "the code is shown once");
        let log = app.get("/api/v1/ecard/verifications", &holder).await;
        let kinds: Vec<&str> = log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["credential_kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["share_code", "share_code"]);
    })
    .await;
}

#[tokio::test]
async fn a_share_code_used_by_many_at_once_verifies_once() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_permit, holder, _key, _cose) = holder_with_device(&app, &c, "CK0000006").await;
        let (_, employer) =
            organisation(&app, "Employer", "employer", &["employer_right_to_work"]).await;
        for _ in 0..4 {
            let r = app
                .post(
                    "/api/v1/ecard/share-codes",
                    &holder,
                    &json!({ "purpose": "employer_right_to_work" }),
                )
                .await;
            let code = r.body["code"].as_str().unwrap().to_owned();
            let body = json!({ "share_code": code, "purpose": "employer_right_to_work" });
            let racers = (0..8).map(|_| {
                let (client, url, token, body) = (
                    app.client.clone(),
                    format!("{}/api/v1/verifications", app.base),
                    employer.clone(),
                    body.clone(),
                );
                tokio::spawn(async move {
                    let r = client
                        .post(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    r.json::<Value>().await.unwrap()["valid"].as_bool().unwrap()
                })
            });
            let mut valid = 0;
            for r in racers.collect::<Vec<_>>() {
                valid += usize::from(r.await.unwrap());
            }
            assert_eq!(valid, 1, "one code, one check");
        }
    })
    .await;
}

#[tokio::test]
async fn a_relying_party_records_a_service_against_its_own_valid_check() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_permit, holder, key, cose) = holder_with_device(&app, &c, "CK0000007").await;
        let (_, library) = organisation(&app, "Guangzhou Library", "library", &["library"]).await;
        let (_, museum) = organisation(
            &app,
            "Guangdong Museum",
            "culture_tourism",
            &["culture_venue"],
        )
        .await;
        for (code, sector, purpose) in [
            ("GZ-LIB-LOAN", "library", "library"),
            ("GZ-MUSEUM-ENTRY", "culture_tourism", "culture_venue"),
        ] {
            let service = json!({ "code": code, "sector": sector, "purpose": purpose,
                "name_zh": "借阅", "name_en": "Loan", "provider": "GZ", "region_code": "440100" });
            let r = app.post("/api/v1/services", &app.admin, &service).await;
            assert_eq!(r.status, 201, "{:?}", r.body);
        }
        let body = json!({ "qr": live_qr(&cose, &key), "purpose": "library" });
        let checked = app.post("/api/v1/verifications", &library, &body).await;
        assert_eq!(field_names(&checked.body), ["holder_name"]);
        let id = checked.body["verification_id"].as_str().unwrap();

        let usage =
            |code: &str| json!({ "verification_id": id, "service_code": code, "note": "2 books" });
        let r = app
            .post("/api/v1/service-uses", &library, &usage("GZ-LIB-LOAN"))
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = app
            .post("/api/v1/service-uses", &library, &usage("GZ-LIB-LOAN"))
            .await;
        assert_eq!(
            (r.status, r.error()),
            (409, ("service_use_recorded", Some("service_code")))
        );
        let r = app
            .post("/api/v1/service-uses", &library, &usage("GZ-MUSEUM-ENTRY"))
            .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("service_other_purpose", Some("service_code")))
        );
        let r = app
            .post("/api/v1/service-uses", &library, &usage("NO-SUCH"))
            .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unknown_service", Some("service_code")))
        );
        // Another organisation's check does not exist for the museum.
        let r = app
            .post("/api/v1/service-uses", &museum, &usage("GZ-MUSEUM-ENTRY"))
            .await;
        assert_eq!(
            (r.status, r.error()),
            (422, ("unknown_verification", Some("verification_id")))
        );
        assert_eq!(
            app.post("/api/v1/service-uses", &holder, &usage("GZ-LIB-LOAN"))
                .await
                .status,
            403
        );

        let uses = app.get("/api/v1/ecard/service-uses", &holder).await;
        let items = uses.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{:?}", uses.body);
        assert_eq!(items[0]["service_code"], "GZ-LIB-LOAN");
        assert_eq!(items[0]["note"], "2 books");
    })
    .await;
}

#[tokio::test]
async fn a_relying_partys_people_verify_for_it_and_read_its_log() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_permit, _holder, key, cose) = holder_with_device(&app, &c, "CK0000008").await;
        let (org, _) =
            organisation(&app, "Hospital", "healthcare", &["healthcare", "pharmacy"]).await;
        let (other_org, _) = organisation(&app, "Other", "library", &["library"]).await;
        let member = json!({ "username": "nurse.li", "password": PASSWORD });
        let path = format!("/api/v1/relying-parties/{org}/members");
        assert_eq!(app.post(&path, &c.agent, &member).await.status, 403);
        let r = app.post(&path, &app.admin, &member).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let r = app.post(&path, &app.admin, &member).await;
        assert_eq!(r.status, 409, "a username once");
        let nurse = app.login("nurse.li").await;
        let body = json!({ "qr": live_qr(&cose, &key), "purpose": "pharmacy" });
        let r = app.post("/api/v1/verifications", &nurse, &body).await;
        assert_eq!(
            (r.status, &r.body["valid"]),
            (200, &json!(true)),
            "{:?}",
            r.body
        );
        assert_eq!(field_names(&r.body), ["holder_name", "medical_insurance"]);

        let log = app
            .request(
                Method::GET,
                &format!("/api/v1/relying-parties/{org}/verifications"),
                &nurse,
                None,
                &[],
            )
            .await;
        assert_eq!(log.status, 200, "{:?}", log.body);
        assert_eq!(log.body["items"].as_array().unwrap().len(), 1);
        let theirs = format!("/api/v1/relying-parties/{other_org}/verifications");
        assert_eq!(app.get(&theirs, &nurse).await.status, 404);
    })
    .await;
}

/// The disclosure table, purpose by purpose, through the API: each
/// organisation sees exactly its purpose's fields of one holder.
#[tokio::test]
async fn every_service_purpose_sees_exactly_its_fields() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (_permit, _holder, key, cose) = holder_with_device(&app, &c, "CK0000009").await;
        let table: [(&str, &str, &[&str]); 7] = [
            (
                "healthcare",
                "healthcare",
                &["holder_name", "medical_insurance", "ssn"],
            ),
            (
                "healthcare",
                "pharmacy",
                &["holder_name", "medical_insurance"],
            ),
            ("transport", "transit", &["card_status"]),
            ("culture_tourism", "culture_venue", &["holder_name"]),
            ("library", "library", &["holder_name"]),
            (
                "finance",
                "bank",
                &[
                    "bank_account",
                    "card_number",
                    "holder_name",
                    "valid_from",
                    "valid_to",
                ],
            ),
            (
                "government_affairs",
                "government_service",
                &["holder_name", "permit_number", "permit_status", "ssn"],
            ),
        ];
        for (sector, purpose, expected) in table {
            let (_, token) =
                organisation(&app, &format!("{purpose} org"), sector, &[purpose]).await;
            let body = json!({ "qr": live_qr(&cose, &key), "purpose": purpose });
            let r = app.post("/api/v1/verifications", &token, &body).await;
            assert_eq!(
                (r.status, &r.body["valid"]),
                (200, &json!(true)),
                "{purpose}: {:?}",
                r.body
            );
            assert_eq!(field_names(&r.body), expected, "{purpose}");
            if purpose == "bank" {
                let account = r.body["fields"]["bank_account"].as_str().unwrap();
                assert!(
                    account.ends_with("4444") && !account.contains("5555"),
                    "{account}"
                );
            }
        }
    })
    .await;
}

/// A cancelled permit: the police still see whose it was and that it is
/// cancelled; a hospital learns only that the check failed.
#[tokio::test]
async fn a_cancelled_permit_fails_every_check_and_only_the_police_see_why() {
    each_backend(|app| async move {
        let c = app.card_cast().await;
        let (permit, holder, key, cose) = holder_with_device(&app, &c, "CK0000010").await;
        let police = app
            .user("police.gd", "police_officer", None, Some("440000"))
            .await;
        let (_, hospital) = organisation(&app, "Hospital", "healthcare", &["healthcare"]).await;
        let number = permit["permit_number"].as_str().unwrap();
        app.cancel(&c, number).await;
        let lookup = json!({ "permit_number": number, "name": permit["holder_name"], "purpose": "inspection" });
        let r = app.post("/api/v1/verifications", &police, &lookup).await;
        assert_eq!((&r.body["valid"], &r.body["reason"]), (&json!(false), &json!("permit_cancelled")), "{:?}", r.body);
        assert_eq!(r.body["fields"]["permit_status"], "cancelled");
        let body = json!({ "qr": live_qr(&cose, &key), "purpose": "healthcare" });
        let r = app.post("/api/v1/verifications", &hospital, &body).await;
        assert_eq!(r.body["valid"], false, "{:?}", r.body);
        assert!(r.body.get("fields").is_none());
        // The holder still reads both refusals in their log.
        let log = app.get("/api/v1/ecard/verifications", &holder).await;
        assert_eq!(log.status, 200, "{:?}", log.body);
        let results: Vec<&Value> = log.body["items"].as_array().unwrap().iter().map(|e| &e["result"]).collect();
        assert_eq!(results, [&json!("rejected"), &json!("rejected")]);
    })
    .await;
}
