//! A small world for the tests: keys, a trust list, a status list, credentials.
#![allow(dead_code, reason = "each test binary uses a different part")]

use zhengka_credential::*;

pub const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
pub const DAY: i64 = 86_400;
pub const REGION: &str = "330100";
pub const STATUS_URI: &str = "https://zhengka.example/api/v1/status-lists/1";

pub struct World {
    pub anchor: SigningKey,
    pub issuers: Vec<Issuer>,
    pub status_key: SigningKey,
    pub trust: TrustList,
    pub bits: StatusBits,
}

pub fn facts() -> PermitFacts {
    PermitFacts {
        permit_number: "330100202600012345".into(),
        holder_name: "MARTIN ANNA MARIA".into(),
        nationality: "DEU".into(),
        date_of_birth: "1990-04-02".into(),
        employer_name: "杭州示例科技有限公司".into(),
        employer_uscc: "91350100M000100Y43".into(),
        class: "B".into(),
        position: "Software engineer".into(),
        valid_from: "2026-01-01".into(),
        valid_to: "2027-12-31".into(),
    }
}

pub fn issuer_key(key: &PublicKey, purposes: Vec<KeyPurpose>) -> IssuerKey {
    IssuerKey {
        public_key: key.clone(),
        region: REGION.into(),
        purposes,
        valid_from: NOW - 30 * DAY,
        valid_to: NOW + 365 * DAY,
    }
}

impl World {
    pub fn new() -> Self {
        let anchor = SigningKey::generate(Algorithm::Es256).unwrap();
        let status_key = SigningKey::generate(Algorithm::Es256).unwrap();
        let issuers: Vec<Issuer> = Algorithm::ALL
            .into_iter()
            .map(|a| Issuer::new(SigningKey::generate(a).unwrap(), REGION))
            .collect();
        let mut keys: Vec<IssuerKey> = issuers
            .iter()
            .map(|i| issuer_key(i.public_key(), vec![KeyPurpose::Notice, KeyPurpose::Card]))
            .collect();
        keys.push(issuer_key(
            status_key.public_key(),
            vec![KeyPurpose::StatusList],
        ));
        let trust = TrustList {
            iss: "zhengka-test".into(),
            seq: 1,
            iat: NOW - DAY,
            exp: NOW + 30 * DAY,
            keys,
        };
        World {
            anchor,
            issuers,
            status_key,
            trust,
            bits: StatusBits::new(status::MIN_ENTRIES),
        }
    }

    pub fn status_list(&self, iat: i64) -> StatusList {
        let token = StatusList {
            uri: STATUS_URI.into(),
            iat,
            exp: iat + DAY,
            ttl: 3600,
            bits: self.bits.clone(),
        }
        .sign(&self.status_key);
        StatusList::from_token(&token, &self.trust).unwrap()
    }

    pub fn notice(&self, issuer: usize, idx: u32) -> Issued {
        let validity = Validity {
            iat: NOW - DAY,
            exp: NOW + 90 * DAY,
        };
        let status = StatusRef {
            uri: STATUS_URI.into(),
            idx,
        };
        self.issuers[issuer].notice(facts(), "N-2026-000123".into(), validity, Some(status))
    }

    pub fn card(&self, issuer: usize, device: &SigningKey) -> Issued {
        let validity = Validity {
            iat: NOW - DAY,
            exp: NOW + 365 * DAY,
        };
        let status = StatusRef {
            uri: STATUS_URI.into(),
            idx: 42,
        };
        self.issuers[issuer].card(facts(), device.public_key().clone(), validity, Some(status))
    }
}
