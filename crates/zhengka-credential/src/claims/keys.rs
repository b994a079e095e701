//! Claim keys: registered CWT claims (RFC 8392, RFC 8747, Token Status List) and
//! the private `zk` claim whose map holds this format's own fields.

/// `iss`: issuing region (GB/T 2260 code), must equal the signing key's region.
pub const ISS: i64 = 1;
/// `sub`: status list URI (status list tokens only).
pub const SUB: i64 = 2;
/// `exp`: expiry, seconds since the Unix epoch.
pub const EXP: i64 = 4;
/// `nbf`: not before, seconds since the Unix epoch.
pub const NBF: i64 = 5;
/// `iat`: issued at, seconds since the Unix epoch.
pub const IAT: i64 = 6;
/// `cti`: the presentation nonce (16 bytes).
pub const CTI: i64 = 7;
/// `cnf`: confirmation key of the holder's device (RFC 8747).
pub const CNF: i64 = 8;
/// `status`: reference into a status list (Token Status List).
pub const STATUS: i64 = 65535;
/// `ttl`: status list time to live in seconds (Token Status List).
pub const TTL: i64 = 65534;
/// `status_list`: the status list itself (Token Status List).
pub const STATUS_LIST: i64 = 65533;
/// `zk`: this format's private claim (private-use range, below -65536).
pub const ZK: i64 = -65537;

/// Keys inside the `zk` map.
pub mod zk {
    pub const KIND: i64 = 0;
    pub const PERMIT_NUMBER: i64 = 1;
    pub const HOLDER_NAME: i64 = 2;
    pub const NATIONALITY: i64 = 3;
    pub const DATE_OF_BIRTH: i64 = 4;
    pub const EMPLOYER_NAME: i64 = 5;
    pub const EMPLOYER_USCC: i64 = 6;
    pub const CLASS: i64 = 7;
    pub const POSITION: i64 = 8;
    pub const VALID_FROM: i64 = 9;
    pub const VALID_TO: i64 = 10;
    pub const NOTICE_ID: i64 = 11;
    pub const CARD: i64 = 12;
}
