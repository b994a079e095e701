//! The server's side of the credentials: its signing keys, the signed trust
//! list, the status list it publishes, and the Notices it issues. Formats and
//! verification live in `zhengka-credential`; key files live with the binary.

mod card_status;
mod device_status;
pub mod federation;
mod index;
mod notice;
pub mod peer_fetch;
mod scan;
mod status;

use std::sync::Mutex;
use std::time::Duration;

use zhengka_credential::{Issuer, IssuerKey, KeyPurpose, PublicKey, SigningKey, TrustList};

pub use card_status::new_card_status_index;
pub use device_status::{DEVICE_STATUS_LIST, new_device_status_index, permit_end};
pub use index::drawing_again;
pub use notice::{issue_notice, permit_facts};
pub use scan::permit_number_of_notice;
pub use status::STATUS_LIST_ENTRIES;
pub use status::new_status_index;

/// How long a published trust list is valid; it is re-signed daily.
const TRUST_LIST_DAYS: i64 = 30;
/// How long an offline verifier may use a status list (its `ttl`), and its `exp`.
pub const STATUS_LIST_TTL_SECS: i64 = 24 * 3600;
/// The longest an instance serves one signed list (so its `iat` is at most
/// this old), even when nothing changed.
const STATUS_CACHE: Duration = Duration::from_secs(30);
/// Within this, a cached list is served without asking the database whether
/// anything changed: a change on any instance shows on every instance within
/// about this (design: within 5 minutes), and a burst of writes costs at most
/// one rebuild per this.
const STATUS_RECHECK: Duration = Duration::from_secs(1);

pub struct Credentials {
    region: String,
    issuer: Issuer,
    status_signer: SigningKey,
    anchor: SigningKey,
    keys: Vec<IssuerKey>,
    trust_cache: Mutex<Option<(i64, Vec<u8>)>>,
    status_cache: status::ListCache,
    card_cache: status::ListCache,
    device_cache: status::ListCache,
    peer_cache: federation::PeerCache,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credentials(region {}, {} keys)",
            self.region,
            self.keys.len()
        )
    }
}

impl Credentials {
    /// `issuer` signs Notices, cards and status lists for `region`; `keys` is
    /// every issuer key to publish (the current one and retired ones);
    /// `anchor` signs the trust list.
    pub fn new(
        region: &str,
        issuer: SigningKey,
        anchor: SigningKey,
        keys: Vec<IssuerKey>,
    ) -> Result<Self, String> {
        let status_signer =
            SigningKey::from_pkcs8(issuer.alg(), issuer.to_pkcs8()).map_err(|e| e.to_string())?;
        if !keys.iter().any(|k| k.public_key == *issuer.public_key()) {
            return Err("the current issuer key is not in the key list".into());
        }
        Ok(Self {
            region: region.to_owned(),
            issuer: Issuer::new(issuer, region),
            status_signer,
            anchor,
            keys,
            trust_cache: Mutex::new(None),
            status_cache: Default::default(),
            card_cache: Default::default(),
            device_cache: Default::default(),
            peer_cache: Default::default(),
        })
    }

    /// Keys made in memory, for tests and tools that need no persistence.
    pub fn ephemeral(region: &str) -> Self {
        let alg = zhengka_credential::Algorithm::Es256;
        let issuer = SigningKey::generate(alg).expect("key generation works");
        let anchor = SigningKey::generate(alg).expect("key generation works");
        let key = issuer_key(issuer.public_key().clone(), region, 0, i64::MAX / 2);
        Self::new(region, issuer, anchor, vec![key]).expect("consistent keys")
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    pub fn anchor_public(&self) -> &PublicKey {
        self.anchor.public_key()
    }

    pub fn keys(&self) -> &[IssuerKey] {
        &self.keys
    }

    /// The public key of the issuer key that signs now.
    pub fn signing_public(&self) -> &PublicKey {
        self.issuer.public_key()
    }

    /// The trust list as verifiers download it (signed COSE bytes), re-signed
    /// when a day old.
    pub fn trust_list(&self, now: i64) -> Vec<u8> {
        let mut cache = self.trust_cache.lock().unwrap_or_else(|e| e.into_inner());
        match cache.as_ref() {
            Some((iat, bytes)) if now - iat < 24 * 3600 => bytes.clone(),
            _ => {
                let bytes = self.trust_list_value(now).sign(&self.anchor);
                *cache = Some((now, bytes.clone()));
                bytes
            }
        }
    }

    pub fn trust_list_value(&self, now: i64) -> TrustList {
        TrustList {
            iss: format!("zhengka {}", self.region),
            seq: now.max(0) as u64,
            iat: now,
            exp: now + TRUST_LIST_DAYS * 24 * 3600,
            keys: self.keys.clone(),
        }
    }

    /// Forget the peers' regions read for checks (a peer changed here).
    pub fn forget_peers(&self) {
        self.peer_cache.forget();
    }

    /// The URI credentials name for their status list.
    pub(crate) fn status_signer(&self) -> &SigningKey {
        &self.status_signer
    }

    pub fn status_uri(&self) -> String {
        format!("urn:zhengka:{}:status-list:1", self.region)
    }
}

/// An issuer key entry for the trust list: signs Notices, cards and status lists.
pub fn issuer_key(
    public_key: PublicKey,
    region: &str,
    valid_from: i64,
    valid_to: i64,
) -> IssuerKey {
    IssuerKey {
        public_key,
        region: region.to_owned(),
        purposes: vec![KeyPurpose::Notice, KeyPurpose::Card, KeyPurpose::StatusList],
        valid_from,
        valid_to,
    }
}
