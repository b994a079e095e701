//! Region federation in the crate: a verifier holding its own region's trust
//! and a pinned peer's accepts the peer's credentials against the peer's keys
//! and status lists only, and refuses forged lists, lists claiming another
//! region's keys, another region's key under a credential's `iss`, and a
//! peer credential whose status list is missing or stale.

use zhengka_credential::*;

const NOW: i64 = 1_767_225_600;
const DAY: i64 = 86_400;

struct Region {
    code: &'static str,
    anchor: SigningKey,
    issuer: Issuer,
    key: SigningKey,
    uri: String,
}

impl Region {
    fn new(code: &'static str) -> Self {
        let key = SigningKey::generate(Algorithm::Es256).unwrap();
        let issuer = Issuer::new(
            SigningKey::from_pkcs8(Algorithm::Es256, key.to_pkcs8()).unwrap(),
            code,
        );
        Region {
            code,
            anchor: SigningKey::generate(Algorithm::Es256).unwrap(),
            issuer,
            key,
            uri: format!("urn:zhengka:{code}:status-list:1"),
        }
    }

    fn list(&self, region: &str, seq: u64) -> TrustList {
        TrustList {
            iss: format!("zhengka {}", self.code),
            seq,
            iat: NOW - DAY,
            exp: NOW + 30 * DAY,
            keys: vec![IssuerKey {
                public_key: self.key.public_key().clone(),
                region: region.into(),
                purposes: vec![KeyPurpose::Notice, KeyPurpose::Card, KeyPurpose::StatusList],
                valid_from: NOW - 30 * DAY,
                valid_to: NOW + 365 * DAY,
            }],
        }
    }

    fn signed_list(&self) -> Vec<u8> {
        self.list(self.code, 1).sign(&self.anchor)
    }

    fn status(&self, iat: i64, revoked: Option<u32>) -> Vec<u8> {
        let mut bits = StatusBits::new(status::MIN_ENTRIES);
        if let Some(i) = revoked {
            bits.set(i, Status::Revoked);
        }
        StatusList {
            uri: self.uri.clone(),
            iat,
            exp: iat + DAY,
            ttl: DAY,
            bits,
        }
        .sign(&self.key)
    }

    fn notice(&self, idx: u32) -> String {
        let validity = Validity {
            iat: NOW - DAY,
            exp: NOW + 90 * DAY,
        };
        let status = StatusRef {
            uri: self.uri.clone(),
            idx,
        };
        self.issuer
            .notice(facts(self.code), "N-1".into(), validity, Some(status))
            .qr
    }

    fn trust(&self, status: &[u8]) -> RegionTrust {
        let list = accept_trust_list(
            &self.signed_list(),
            self.anchor.public_key(),
            self.code,
            NOW,
        )
        .unwrap();
        RegionTrust::new(self.code, list)
            .unwrap()
            .with_status_token(status)
            .unwrap()
    }
}

fn facts(region: &str) -> PermitFacts {
    PermitFacts {
        permit_number: format!("{region}202600000001"),
        holder_name: "MARTIN ANNA MARIA".into(),
        nationality: "DEU".into(),
        date_of_birth: "1990-04-02".into(),
        employer_name: "Example".into(),
        employer_uscc: "91350100M000100Y43".into(),
        class: "B".into(),
        position: "Engineer".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2027-12-31".into(),
    }
}

fn verdict(qr: &str, set: &TrustSet) -> Result<String, Rejection> {
    verify_with_set(qr, set, NOW, Purpose::Notice, &Policy::default())
        .map(|v| v.issuer.region.clone())
}

#[test]
fn each_region_checks_its_own_credentials_and_status() {
    let (a, b) = (Region::new("440000"), Region::new("310000"));
    let mut set = TrustSet::new();
    set.push(b.trust(&b.status(NOW - 60, None))).unwrap();
    set.push(a.trust(&a.status(NOW - 60, Some(7))).peer(3600))
        .unwrap();
    assert_eq!(verdict(&a.notice(1), &set).as_deref(), Ok("440000"));
    assert_eq!(verdict(&b.notice(1), &set).as_deref(), Ok("310000"));
    assert_eq!(verdict(&a.notice(7), &set), Err(Rejection::Revoked));
    // B's index 7 is valid: A's list does not speak for B's credentials.
    assert!(verdict(&b.notice(7), &set).is_ok());
    // The same region twice, or a key already another region's, is refused.
    let again = set.push(a.trust(&a.status(NOW - 60, None)));
    assert_eq!(again.unwrap_err().code(), "duplicate_region");
    let mut stolen = a.list("330100", 2);
    stolen.keys[0].region = "330100".into();
    let stolen = RegionTrust::new("330100", stolen).unwrap();
    assert_eq!(
        set.push(stolen).unwrap_err().code(),
        "key_of_another_region"
    );
}

#[test]
fn a_peer_credential_without_a_current_status_list_is_refused() {
    let (a, b) = (Region::new("440000"), Region::new("310000"));
    let list = accept_trust_list(&a.signed_list(), a.anchor.public_key(), a.code, NOW).unwrap();
    let mut set = TrustSet::new();
    set.push(b.trust(&b.status(NOW - 60, None))).unwrap();
    set.push(RegionTrust::new(a.code, list.clone()).unwrap().peer(3600))
        .unwrap();
    assert_eq!(verdict(&a.notice(1), &set), Err(Rejection::StaleStatus));
    // Older than the peer's maximum age (one hour), though within its ttl.
    let mut set = TrustSet::new();
    let old = RegionTrust::new(a.code, list)
        .unwrap()
        .with_status_token(&a.status(NOW - 7200, None))
        .unwrap();
    set.push(old.peer(3600)).unwrap();
    assert_eq!(verdict(&a.notice(1), &set), Err(Rejection::StaleStatus));
}

#[test]
fn forged_and_overreaching_lists_are_refused() {
    let (a, mallory) = (Region::new("440000"), Region::new("440000"));
    // Signed by another anchor than the pinned one.
    let forged = mallory.signed_list();
    let err = accept_trust_list(&forged, a.anchor.public_key(), a.code, NOW).unwrap_err();
    assert_eq!(err.code(), "peer_list_not_verified");
    // Signed by the right anchor, but granting a key of another region.
    let overreach = a.list("310000", 2).sign(&a.anchor);
    let err = accept_trust_list(&overreach, a.anchor.public_key(), a.code, NOW).unwrap_err();
    assert_eq!(err, FederationError::RegionMismatch("310000".into()));
    assert!(RegionTrust::new("440000", a.list("310000", 2)).is_err());
    // Expired.
    let err = accept_trust_list(
        &a.signed_list(),
        a.anchor.public_key(),
        a.code,
        NOW + 31 * DAY,
    );
    assert_eq!(
        err.unwrap_err(),
        FederationError::NotSigned(Rejection::Expired)
    );
}

#[test]
fn a_status_list_signed_by_another_region_is_not_taken() {
    let (a, b) = (Region::new("440000"), Region::new("310000"));
    let list = accept_trust_list(&a.signed_list(), a.anchor.public_key(), a.code, NOW).unwrap();
    // B signs a list with A's URI: A's keys do not verify it.
    let fake = b.status(NOW, Some(1));
    let err = RegionTrust::new(a.code, list)
        .unwrap()
        .with_status_token(&fake)
        .unwrap_err();
    assert_eq!(err, Rejection::UnknownKey);
}

#[test]
fn a_credential_claiming_another_region_is_refused() {
    let (a, b) = (Region::new("440000"), Region::new("310000"));
    let mut set = TrustSet::new();
    set.push(b.trust(&b.status(NOW - 60, None))).unwrap();
    set.push(a.trust(&a.status(NOW - 60, None)).peer(3600))
        .unwrap();
    // A's key signing a credential whose iss says B.
    let liar = Issuer::new(
        SigningKey::from_pkcs8(Algorithm::Es256, a.key.to_pkcs8()).unwrap(),
        "310000",
    );
    let validity = Validity {
        iat: NOW - DAY,
        exp: NOW + DAY,
    };
    let qr = liar
        .notice(facts("310000"), "N-2".into(), validity, None)
        .qr;
    assert_eq!(verdict(&qr, &set), Err(Rejection::KeyNotValidForPurpose));
}

#[test]
fn anchors_read_back_from_their_text() {
    let key = SigningKey::generate(Algorithm::EdDsa).unwrap();
    let text = anchor_text(key.public_key());
    assert_eq!(parse_anchor(&text).unwrap(), *key.public_key());
    assert!(parse_anchor("ES256:zz").is_err());
    assert!(parse_anchor("nope").is_err());
    assert!(parse_anchor("RSA:00").is_err());
}
