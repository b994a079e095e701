//! Signed QR credentials of zhengka, verifiable offline.
//!
//! Every QR is `ZK1:` + Base45(zlib(COSE_Sign1(CWT claims))); see
//! `docs/credential-format.md`. This crate knows nothing of HTTP or SQL: the
//! server issues through [`Issuer`] and publishes [`TrustList`] and
//! [`StatusList`] tokens; a relying party verifies with [`verify`].
#![forbid(unsafe_code)]

pub mod alg;
pub mod batch;
pub mod claims;
pub mod codec;
pub mod cose;
pub mod error;
pub mod federation;
pub mod gate;
pub mod gate_files;
pub mod issue;
pub mod keys;
pub mod lists_dir;
pub mod qr;
pub mod replay;
pub mod status;
pub mod trust;
pub mod verify;

pub use alg::Algorithm;
pub use batch::{SignedItem, verify_batch};
pub use claims::{Body, Claims, Kind, PermitFacts, StatusRef};
pub use error::Rejection;
pub use federation::{
    FederationError, RegionTrust, TrustSet, accept_trust_list, anchor_text, parse_anchor,
    verify_with_set,
};
pub use issue::{Issued, Issuer, Validity, present};
pub use keys::{KeyError, Kid, Pkcs8, PublicKey, SigningKey};
pub use qr::QrMatrix;
pub use replay::ReplayCache;
pub use status::{
    Status, StatusBits, StatusEncoder, StatusList, StatusListHead, allocate_index, list_entries,
};
pub use trust::{IssuerKey, KeyPurpose, TrustList};
pub use verify::{Policy, Purpose, StatusCheck, Verified, verify, verify_with, verify_with_lists};
