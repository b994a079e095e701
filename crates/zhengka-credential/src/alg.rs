//! Signature algorithms and their COSE identifiers.

/// A signature algorithm a key is bound to. The verifier always takes it from the
/// trusted key; the `alg` header must agree with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256 (COSE -7); signature r||s, 64 bytes.
    Es256,
    /// SM2 signature with SM3 (GB/T 32918.2, GB/T 35276), user ID
    /// `1234567812345678`; COSE -65537 (private use); signature r||s, 64 bytes.
    Sm2Sm3,
    /// Ed25519 (COSE -8, RFC 8032); signature 64 bytes.
    EdDsa,
}

/// COSE algorithm value assigned to SM2-with-SM3 in this format (private-use range,
/// RFC 9053 section 10 / IANA "COSE Algorithms": values below -65536).
pub const COSE_ALG_SM2_SM3: i64 = -65537;
/// SM2 default distinguishing identifier (GB/T 35276-2017 section 5.3).
pub const SM2_DEFAULT_ID: &str = "1234567812345678";

impl Algorithm {
    /// Every algorithm, in a stable order.
    pub const ALL: [Algorithm; 3] = [Algorithm::Es256, Algorithm::Sm2Sm3, Algorithm::EdDsa];

    /// The integer carried in the COSE `alg` header and the trust list.
    pub fn cose_value(self) -> i64 {
        match self {
            Algorithm::Es256 => -7,
            Algorithm::Sm2Sm3 => COSE_ALG_SM2_SM3,
            Algorithm::EdDsa => -8,
        }
    }

    /// The algorithm for a COSE integer, if this format supports it.
    pub fn from_cose_value(value: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.cose_value() == value)
    }

    /// Short name used in documents and logs.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Sm2Sm3 => "SM2-SM3",
            Algorithm::EdDsa => "EdDSA",
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
